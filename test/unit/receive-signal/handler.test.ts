import { describe, expect, it } from 'vitest';
import type { Client } from '../../../schemas/client.js';
import { invalidNames, problemOf } from '../../helpers/api-calls.js';
import { municipalityClient, schoolClient, teamClient } from '../../helpers/clients.js';
import { consultationSubmission, referralSubmission, storedSignal } from '../../helpers/factories.js';
import { fakeHub } from '../../helpers/fake-hub.js';

// The school's operations through receive-signal's own handler on fakes: what the declaration
// validates before a use case runs, and what each answer looks like on the wire.

function expectNothingStored(hub: ReturnType<typeof fakeHub>) {
  expect(hub.store.writes).toEqual([]);
  expect(hub.deps.intake.messages).toEqual([]);
  expect(hub.deps.pseudonymizer.calls).toEqual([]);
}

const admin: Client = { ...municipalityClient([]), clientId: 'admin-1', role: 'admin', scope: {} };

describe('receive-signal handler', () => {
  describe('submitSignal', () => {
    it('answers 202 with the id, the status and a Location', async () => {
      const hub = fakeHub();

      const answer = await hub.call('submitSignal', { client: schoolClient(), body: referralSubmission() });

      expect(answer.status).toBe(202);
      const { id } = answer.body as { id: string };
      expect(answer.body).toEqual({ id, status: 'received' });
      expect(answer.headers.location).toBe(`/v1/signals/${id}`);
      expect(answer.headers['api-version']).toBe('1.0.0');
    });

    it('answers a reused sourceId with other content 409, naming the existing signal', async () => {
      const hub = fakeHub();
      const first = await hub.call('submitSignal', { client: schoolClient(), body: referralSubmission() });
      const { id } = first.body as { id: string };

      const answer = await hub.call('submitSignal', {
        client: schoolClient(),
        body: referralSubmission({ urgency: 'urgent' }),
      });

      expect(problemOf(answer, 409).signalId).toBe(id);
      expect(answer.headers.location).toBe(`/v1/signals/${id}`);
    });

    it.each<[string, Client]>([
      ['a provider', teamClient('jgt-amsterdam')],
      ['a municipality', municipalityClient(['0363'])],
      ['an admin', admin],
    ])('answers 403 to %s and stores nothing', async (_who, client) => {
      const hub = fakeHub();

      problemOf(await hub.call('submitSignal', { client, body: referralSubmission() }), 403);

      expectNothingStored(hub);
    });

    it.each<[string, unknown, string[]]>([
      ['no body', undefined, ['(body)']],
      ['a string body', '"hello"', ['(body)']],
      ['a BSN failing the 11-proof', referralSubmission({ pupil: { bsn: '123456789' } }), ['pupil.bsn']],
      [
        'an unknown municipality',
        referralSubmission({ pupil: { municipality: '9999' } }),
        ['pupil.municipality'],
      ],
      [
        'an unused postcode letter pair',
        referralSubmission({ pupil: { postcode: '1011SS' } }),
        ['pupil.postcode'],
      ],
      ['no concerns', referralSubmission({ concerns: [] }), ['concerns']],
      [
        'an unknown second concern',
        { ...referralSubmission(), concerns: ['absence', 'boredom'] },
        ['concerns.1'],
      ],
      ['a bad e-mail address', referralSubmission({ contact: { email: 'nope' } }), ['contact.email']],
      ['an unknown top-level field', { ...referralSubmission(), remarks: 'x' }, ['remarks']],
      [
        'a consultation carrying a BSN',
        { ...consultationSubmission(), pupil: { age: 9, municipality: '0363', bsn: '999900018' } },
        ['pupil.bsn'],
      ],
      [
        'both bsn and onderwijsnummer',
        referralSubmission({ pupil: { onderwijsnummer: '101000012' } }),
        ['pupil.bsn'],
      ],
      ['a bad school location', referralSubmission({ schoolLocation: '12ab00' }), ['schoolLocation']],
      [
        'three bad fields at once',
        referralSubmission({
          pupil: { postcode: 'x' },
          contact: { email: 'nope' },
          urgency: 'soon' as never,
        }),
        ['contact.email', 'pupil.postcode', 'urgency'],
      ],
    ])('answers 400 naming %s and stores nothing', async (_case, body, names) => {
      const hub = fakeHub();

      const answer = await hub.call('submitSignal', { client: schoolClient(), body });

      expect(invalidNames(answer).sort()).toEqual(names);
      expectNothingStored(hub);
    });

    // The hostile probe's findings (issue 6): each answered 500, or stored, or named only part.
    it.each<[string, unknown, string[]]>([
      ['a lone surrogate in the summary', referralSubmission({ summary: 'x\ud800y' }), ['summary']],
      [
        'a lone surrogate in the contact’s name',
        referralSubmission({ contact: { name: '\udc00' } }),
        ['contact.name'],
      ],
      [
        'a lone surrogate in the contact’s role',
        referralSubmission({ contact: { role: 'ib\ud83d' } }),
        ['contact.role'],
      ],
      ['a lone surrogate in a key', { ...referralSubmission(), 'x\ud800': 1 }, ['x\ud800']],
      [
        'a control character in the summary',
        referralSubmission({ summary: 'before\u0007after' }),
        ['summary'],
      ],
      [
        'an escape sequence in the contact’s name',
        referralSubmission({ contact: { name: '\u001b[31mX' } }),
        ['contact.name'],
      ],
      [
        'a birth date of 0000-01-01',
        referralSubmission({ pupil: { birthDate: '0000-01-01' } }),
        ['pupil.birthDate'],
      ],
      [
        'a birth date of 1900-01-01',
        referralSubmission({ pupil: { birthDate: '1900-01-01' } }),
        ['pupil.birthDate'],
      ],
      [
        'consent recorded before birth',
        referralSubmission({ consent: { recordedOn: '2014-01-01' } }),
        ['consent.recordedOn'],
      ],
      [
        'a 300-character e-mail local part',
        referralSubmission({ contact: { email: `${'a'.repeat(300)}@school.example` } }),
        ['contact.email'],
      ],
      ['a consultation about a one-year-old', consultationSubmission({ pupil: { age: 1 } }), ['pupil.age']],
      [
        'a bad e-mail address and a future birth date',
        referralSubmission({ contact: { email: 'nope' }, pupil: { birthDate: '2026-11-23' } }),
        ['contact.email', 'pupil.birthDate'],
      ],
      [
        'a foreign school location and a future birth date',
        referralSubmission({ schoolLocation: '99ZZ00', pupil: { birthDate: '2026-11-23' } }),
        ['pupil.birthDate', 'schoolLocation'],
      ],
      [
        'a foreign school location, a bad e-mail address and missing consent',
        referralSubmission({
          schoolLocation: '99ZZ00',
          contact: { email: 'x' },
          consent: { parents: false },
        }),
        ['consent.parents', 'contact.email', 'schoolLocation'],
      ],
    ])('answers %s with 400 naming every bad field, and stores nothing', async (_case, body, names) => {
      const hub = fakeHub();

      const answer = await hub.call('submitSignal', { client: schoolClient(), body });

      expect(invalidNames(answer).sort()).toEqual(names);
      expectNothingStored(hub);
    });

    it('answers a foreign school location alone with 403 naming it', async () => {
      const hub = fakeHub();

      const answer = await hub.call('submitSignal', {
        client: schoolClient(),
        body: referralSubmission({ schoolLocation: '99ZZ00' }),
      });

      expect(problemOf(answer, 403).invalidParams?.map((p) => p.name)).toEqual(['schoolLocation']);
      expectNothingStored(hub);
    });

    it('says "is required" for each missing field, and a sentence for a wrong one', async () => {
      const hub = fakeHub();
      const { summary: _summary, ...withoutSummary } = referralSubmission({
        contact: { name: 'x'.repeat(201) },
      });

      const answer = await hub.call('submitSignal', { client: schoolClient(), body: withoutSummary });

      expect(problemOf(answer, 400).invalidParams).toEqual([
        { name: 'summary', reason: 'is required' },
        { name: 'contact.name', reason: 'must be at most 200 characters' },
      ]);
    });
  });

  describe('submitSignal without a known requestType', () => {
    it('names the fields every submission has beside requestType', async () => {
      const hub = fakeHub();

      const answer = await hub.call('submitSignal', {
        client: schoolClient(),
        body: { requestType: 'x', sourceId: 'bad id', schoolLocation: 'zz', urgency: 1 },
      });

      const params = problemOf(answer, 400).invalidParams ?? [];
      expect(params.map((p) => p.name).sort()).toEqual(
        ['concerns', 'contact', 'requestType', 'schoolLocation', 'sourceId', 'summary', 'urgency'].sort(),
      );
      expect(params.find((p) => p.name === 'schoolLocation')?.reason).not.toMatch(/this client/);
      expect(params.find((p) => p.name === 'summary')?.reason).toBe('is required');
      expectNothingStored(hub);
    });

    it('says "is required" for a missing requestType and a missing urgency', async () => {
      const hub = fakeHub();
      const { requestType: _type, urgency: _urgency, ...body } = referralSubmission();

      const answer = await hub.call('submitSignal', { client: schoolClient(), body });

      expect(problemOf(answer, 400).invalidParams).toEqual([
        { name: 'requestType', reason: 'is required' },
        { name: 'urgency', reason: 'is required' },
      ]);
    });

    it('says "is required" for a missing urgency of a known requestType', async () => {
      const hub = fakeHub();
      const { urgency: _urgency, ...body } = consultationSubmission();

      const answer = await hub.call('submitSignal', { client: schoolClient(), body });

      expect(problemOf(answer, 400).invalidParams).toEqual([{ name: 'urgency', reason: 'is required' }]);
    });
  });

  describe('getSignal and withdrawSignal', () => {
    it.each(['not-a-uuid', 'SIGNAL#1', `${storedSignal().id}x`])(
      'answers 400 naming id for %j',
      async (id) => {
        const hub = fakeHub();

        expect(invalidNames(await hub.call('getSignal', { client: schoolClient(), path: { id } }))).toEqual([
          'id',
        ]);
        expect(
          invalidNames(await hub.call('withdrawSignal', { client: schoolClient(), path: { id } })),
        ).toEqual(['id']);
      },
    );

    it('answers 403 to a team reading a signal: the operation is for schools only', async () => {
      const hub = fakeHub();
      hub.store.putSignal(storedSignal());

      problemOf(
        await hub.call('getSignal', { client: teamClient('jgt-amsterdam'), path: { id: storedSignal().id } }),
        403,
      );
    });

    it('answers another school’s signal 404, exactly like an unknown id', async () => {
      const hub = fakeHub();
      hub.store.putSignal(storedSignal());
      const other = schoolClient({ clientId: 'school-2', scope: { schoolLocations: ['34CD00'] } });

      const foreign = problemOf(
        await hub.call('getSignal', { client: other, path: { id: storedSignal().id } }),
        404,
      );
      const unknown = problemOf(
        await hub.call('getSignal', {
          client: schoolClient(),
          path: { id: '00000000-0000-4000-8000-00000000dead' },
        }),
        404,
      );

      expect(foreign).toEqual(unknown);
    });

    it.each<[string, unknown, string]>([
      ['an unknown field', { reason: 'x', why: 'y' }, 'why'],
      ['a blank reason', { reason: '   ' }, 'reason'],
      ['a non-string reason', { reason: 42 }, 'reason'],
      ['a reason with a lone surrogate', { reason: '\udfff' }, 'reason'],
      ['a reason with a control character', { reason: 'ouders\u001bweg' }, 'reason'],
    ])('answers a withdrawal with %s 400 and writes nothing', async (_case, body, name) => {
      const hub = fakeHub();
      hub.store.putSignal(storedSignal());

      const answer = await hub.call('withdrawSignal', {
        client: schoolClient(),
        path: { id: storedSignal().id },
        body,
      });

      expect(invalidNames(answer)).toEqual([name]);
      expect(hub.store.writes).toEqual([]);
    });

    it('withdraws with no body at all', async () => {
      const hub = fakeHub();
      hub.store.putSignal(storedSignal());

      const answer = await hub.call('withdrawSignal', {
        client: schoolClient(),
        path: { id: storedSignal().id },
      });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: storedSignal().id, status: 'withdrawn' });
    });
  });
});
