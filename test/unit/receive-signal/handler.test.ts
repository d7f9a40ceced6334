import { describe, expect, it, vi } from 'vitest';
import { LOG_EVENTS } from '../../../functions/shared/log-events.js';
import { logger } from '../../../functions/shared/logger.js';
import { MAX_BATCH_BODY_BYTES, MAX_BATCH_ITEMS, MAX_BODY_BYTES } from '../../../schemas/api.js';
import type { Client } from '../../../schemas/client.js';
import { SignalBatchResultSchema } from '../../../schemas/signal-batch.js';
import { type Answer, invalidNames, problemOf } from '../../helpers/api-calls.js';
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
  const submissions = {
    submitSignal: referralSubmission(),
    submitSignalBatch: { signals: [referralSubmission()] },
  };
  const otherRoles: [string, Client][] = [
    ['a provider', teamClient('jgt-amsterdam')],
    ['a municipality', municipalityClient(['0363'])],
    ['an admin', admin],
  ];

  it.each(
    Object.entries(submissions).flatMap(([operationId, body]) =>
      otherRoles.map(([who, client]) => [operationId, who, client, body] as const),
    ),
  )('answers %s by %s 403 and stores nothing', async (operationId, _who, client, body) => {
    const hub = fakeHub();

    problemOf(await hub.call(operationId, { client, body }), 403);

    expectNothingStored(hub);
  });

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
    it('finds a signal by its id in upper case too (UUIDs are case-insensitive)', async () => {
      const hub = fakeHub();
      hub.store.putSignal(storedSignal({ status: 'routed', version: 2 }));

      const answer = await hub.call('getSignal', {
        client: schoolClient(),
        path: { id: storedSignal().id.toUpperCase() },
      });

      expect(answer.status).toBe(200);
      expect((answer.body as { id: string }).id).toBe(storedSignal().id);
    });

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

  describe('submitSignalBatch', () => {
    const batchOf = (signals: unknown[]) => ({ signals });
    const resultsOf = (answer: Answer) => {
      expect(answer.status).toBe(207);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.headers['api-version']).toBe('1.0.0');
      return SignalBatchResultSchema.parse(answer.body).results;
    };
    /** What `POST /v1/signals` answered, as a batch item at `index` says it. */
    const asItem = (single: Answer, index = 0) =>
      single.status === 202
        ? { index, status: 202, location: single.headers.location, signal: single.body }
        : {
            index,
            status: single.status,
            ...(single.headers.location ? { location: single.headers.location } : {}),
            problem: single.body,
          };

    it('answers 207 with one result per item, in the items’ order', async () => {
      const hub = fakeHub();

      const answer = await hub.call('submitSignalBatch', {
        client: schoolClient(),
        body: batchOf([
          referralSubmission({ sourceId: 'lvs-1' }),
          referralSubmission({ sourceId: 'lvs-2', pupil: { bsn: '123456789' } }),
          consultationSubmission({ sourceId: 'lvs-3' }),
        ]),
      });

      const results = resultsOf(answer);
      expect(results.map((r) => [r.index, r.status])).toEqual([
        [0, 202],
        [1, 400],
        [2, 202],
      ]);
      expect(new Set(hub.store.allSignals().map((s) => s.sourceId))).toEqual(new Set(['lvs-1', 'lvs-3']));
    });

    // Each item is answered exactly as `POST /v1/signals` answers the same body on its own.
    it.each<[string, unknown]>([
      ['a referral', referralSubmission()],
      ['a consultation', consultationSubmission()],
      ['a BSN failing the 11-proof', referralSubmission({ pupil: { bsn: '123456789' } })],
      [
        'three bad fields',
        referralSubmission({
          pupil: { postcode: 'x' },
          contact: { email: 'nope' },
          urgency: 'soon' as never,
        }),
      ],
      ['missing consent of a pupil of 13', referralSubmission({ pupil: { birthDate: '2013-01-10' } })],
      [
        'a bad e-mail address and a future birth date',
        referralSubmission({ contact: { email: 'nope' }, pupil: { birthDate: '2026-11-23' } }),
      ],
      ['a foreign school location', referralSubmission({ schoolLocation: '99ZZ00' })],
      [
        'a foreign school location and missing consent',
        referralSubmission({ schoolLocation: '99ZZ00', consent: { parents: false } }),
      ],
      [
        'a consultation carrying a BSN',
        { ...consultationSubmission(), pupil: { age: 9, municipality: '0363', bsn: '999900018' } },
      ],
      ['a lone surrogate in the summary', referralSubmission({ summary: 'x\ud800y' })],
      ['a lone surrogate in a key', { ...referralSubmission(), 'x\ud800': 1 }],
      ['an unknown requestType', { ...referralSubmission(), requestType: 'x', urgency: 1 }],
      ['an unknown field', { ...referralSubmission(), remarks: 'x' }],
      ['a string', 'hello'],
      ['null', null],
      ['a list', [referralSubmission()]],
    ])('answers an item that is %s as POST /v1/signals answers it alone', async (_case, body) => {
      const single = await fakeHub().call('submitSignal', {
        client: schoolClient(),
        body: JSON.stringify(body),
      });
      const hub = fakeHub();

      const [result] = resultsOf(
        await hub.call('submitSignalBatch', { client: schoolClient(), body: batchOf([body]) }),
      );

      expect(result).toEqual(asItem(single));
      expect(hub.store.allSignals()).toHaveLength(single.status === 202 ? 1 : 0);
    });

    it('answers a repeat of an earlier submission and a reuse of its sourceId as POST /v1/signals does', async () => {
      const hub = fakeHub();
      const earlier = await hub.call('submitSignal', { client: schoolClient(), body: referralSubmission() });
      const changed = referralSubmission({ urgency: 'urgent' });

      const results = resultsOf(
        await hub.call('submitSignalBatch', {
          client: schoolClient(),
          body: batchOf([referralSubmission(), changed]),
        }),
      );

      const again = await hub.call('submitSignal', { client: schoolClient(), body: referralSubmission() });
      const conflict = await hub.call('submitSignal', { client: schoolClient(), body: changed });
      expect(again.body).toEqual(earlier.body);
      expect(results).toEqual([asItem(again, 0), asItem(conflict, 1)]);
      expect(results[1]).toMatchObject({ status: 409, location: earlier.headers.location });
      expect(hub.store.allSignals()).toHaveLength(1);
    });

    it('answers an item that could not be queued 503 and the others 202', async () => {
      const hub = fakeHub();
      hub.deps.intake.failNext();

      const results = resultsOf(
        await hub.call('submitSignalBatch', {
          client: schoolClient(),
          body: batchOf([
            referralSubmission({ sourceId: 'lvs-1' }),
            referralSubmission({ sourceId: 'lvs-2' }),
          ]),
        }),
      );

      expect(results.map((r) => r.status).sort()).toEqual([202, 503]);
      expect(results.find((r) => r.status === 503)).toMatchObject({
        problem: { detail: expect.stringMatching(/stored/) },
      });
    });

    it('answers 503 with Retry-After for the whole request when every item failed on our side', async () => {
      const hub = fakeHub();
      hub.deps.intake.failNext(undefined, 2);
      const body = batchOf([
        referralSubmission({ sourceId: 'lvs-1' }),
        referralSubmission({ sourceId: 'lvs-2' }),
      ]);

      const answer = await hub.call('submitSignalBatch', { client: schoolClient(), body });

      problemOf(answer, 503);
      expect(answer.headers['retry-after']).toBe('5');
      // Stored, not queued: the same request again queues both and creates no second signal.
      const again = resultsOf(await hub.call('submitSignalBatch', { client: schoolClient(), body }));
      expect(again.map((r) => r.status)).toEqual([202, 202]);
      expect(hub.store.allSignals()).toHaveLength(2);
      expect(hub.deps.intake.messages).toHaveLength(2);
    });

    it('answers 207 when items failed on our side beside a bad one: that one is about its item', async () => {
      const hub = fakeHub();
      hub.deps.intake.failNext();

      const answer = await hub.call('submitSignalBatch', {
        client: schoolClient(),
        body: batchOf([
          referralSubmission({ sourceId: 'lvs-1' }),
          referralSubmission({ pupil: { bsn: '1' } }),
        ]),
      });

      expect(resultsOf(answer).map((r) => r.status)).toEqual([503, 400]);
    });

    it(`takes ${MAX_BATCH_ITEMS} items in a body larger than a single submission may be`, async () => {
      const hub = fakeHub();
      const signals = Array.from({ length: MAX_BATCH_ITEMS }, (_, i) =>
        referralSubmission({ sourceId: `lvs-${i}`, summary: 'é'.repeat(2000) }),
      );
      expect(Buffer.byteLength(JSON.stringify(batchOf(signals)))).toBeGreaterThan(MAX_BODY_BYTES);

      const results = resultsOf(
        await hub.call('submitSignalBatch', { client: schoolClient(), body: batchOf(signals) }),
      );

      expect(results.map((r) => r.status)).toEqual(Array(MAX_BATCH_ITEMS).fill(202));
      expect(hub.store.allSignals()).toHaveLength(MAX_BATCH_ITEMS);
    });

    it(`answers 413 for a body over ${MAX_BATCH_BODY_BYTES} bytes and stores nothing`, async () => {
      const hub = fakeHub();
      const body = JSON.stringify(
        batchOf([referralSubmission({ summary: 'x'.repeat(MAX_BATCH_BODY_BYTES) })]),
      );

      const problem = problemOf(await hub.call('submitSignalBatch', { client: schoolClient(), body }), 413);

      expect(problem.detail).toContain(String(MAX_BATCH_BODY_BYTES));
      expectNothingStored(hub);
    });

    it.each<[string, unknown, string[]]>([
      [
        `${MAX_BATCH_ITEMS + 1} items`,
        batchOf(Array(MAX_BATCH_ITEMS + 1).fill(referralSubmission())),
        ['signals'],
      ],
      ['no items', batchOf([]), ['signals']],
      ['no signals', {}, ['signals']],
      ['signals that are no list', { signals: referralSubmission() }, ['signals']],
      ['an unknown field beside the signals', { ...batchOf([referralSubmission()]), items: [] }, ['items']],
      [
        'a lone surrogate in a key beside the signals',
        { ...batchOf([referralSubmission()]), 'x\ud800': 1 },
        ['x\ud800'],
      ],
      ['a list for a body', [referralSubmission()], ['(body)']],
      ['a body that is not JSON', '{"signals": [', ['(body)']],
    ])('refuses the whole request with %s: 400 naming it, nothing stored', async (_case, body, names) => {
      const hub = fakeHub();

      const answer = await hub.call('submitSignalBatch', { client: schoolClient(), body });

      expect(invalidNames(answer)).toEqual(names);
      expectNothingStored(hub);
    });

    it('says how many items a batch may hold', async () => {
      const answer = await fakeHub().call('submitSignalBatch', {
        client: schoolClient(),
        body: batchOf(Array(MAX_BATCH_ITEMS + 1).fill(referralSubmission())),
      });

      expect(problemOf(answer, 400).invalidParams).toEqual([
        { name: 'signals', reason: `must have at most ${MAX_BATCH_ITEMS} items` },
      ]);
    });

    it('logs the batch’s counts, and an item that failed unexpectedly by its index, never pupil data', async () => {
      const hub = fakeHub();
      const info = vi.spyOn(logger, 'info');
      const error = vi.spyOn(logger, 'error');
      hub.store.failNext('createSignal', new Error('disk on fire'));

      const results = resultsOf(
        await hub.call('submitSignalBatch', {
          client: schoolClient(),
          body: batchOf([
            referralSubmission({ sourceId: 'lvs-1' }),
            referralSubmission({ sourceId: 'lvs-2', pupil: { bsn: '123456789' } }),
            referralSubmission({ sourceId: 'lvs-3', summary: 'Leerling slaapt in de klas' }),
          ]),
        }),
      );

      const failedIndex = results.find((r) => r.status === 500)?.index;
      expect(failedIndex).toBeDefined();
      expect(info).toHaveBeenCalledWith(
        expect.objectContaining({
          event: LOG_EVENTS.signalBatchProcessed,
          itemCount: 3,
          accepted: 1,
          refused: 1,
          failed: 1,
        }),
      );
      expect(error).toHaveBeenCalledWith(
        expect.objectContaining({
          event: LOG_EVENTS.batchItemFailed,
          index: failedIndex,
          errorName: 'Error',
        }),
      );
      const logged = JSON.stringify([...info.mock.calls, ...error.mock.calls]);
      for (const secret of [
        '999900018',
        '123456789',
        '2015-03-14',
        '1011AB',
        'J. de Vries',
        'Leerling slaapt',
      ]) {
        expect(logged).not.toContain(secret);
      }
      vi.restoreAllMocks();
    });
  });
});
