import { describe, expect, it } from 'vitest';
import type { SignalStatus } from '../../../domain/vocabulary.js';
import { submitSignal } from '../../../functions/receive-signal/submit-signal.js';
import {
  ConflictError,
  ForbiddenError,
  ServiceUnavailableError,
  ValidationError,
} from '../../../functions/shared/errors.js';
import type { Client } from '../../../schemas/client.js';
import type { SignalSubmission } from '../../../schemas/signal.js';
import { schoolClient } from '../../helpers/clients.js';
import { consultationSubmission, referralSubmission } from '../../helpers/factories.js';
import { FakePseudonymizer, fixedClock } from '../../helpers/fakes.js';
import { rejection } from '../../helpers/rejection.js';
import { type FakeSubmitSignalDeps, submitSignalDeps } from '../../helpers/submit-signal-deps.js';

const NOW = '2026-11-22T10:00:00Z';
const FIRST_ID = '00000000-0000-4000-8000-000000000001';

const setup = (now = NOW) => submitSignalDeps(now);

type Deps = FakeSubmitSignalDeps;

/** The body as the operation's validation hands it on; bad bodies are the handler test's part. */
const submit = (deps: Deps, body: SignalSubmission, client: Client = schoolClient(), user?: string) =>
  submitSignal(deps, { client, user, submission: body });

function expectNothingPersisted(deps: Deps) {
  expect(deps.signals.allSignals()).toEqual([]);
  expect(deps.signals.writes).toEqual([]);
  expect(deps.intake.messages).toEqual([]);
}

describe('submitSignal', () => {
  describe('a new signal', () => {
    it('stores a received signal and enqueues its id when a school submits a valid referral', async () => {
      const deps = setup();

      const result = await submit(deps, referralSubmission());

      expect(result).toEqual({ id: FIRST_ID, status: 'received', replayed: false });
      const [stored, ...others] = deps.signals.allSignals();
      expect(others).toEqual([]);
      expect(stored).toMatchObject({
        id: FIRST_ID,
        sourceClientId: 'school-1',
        sourceId: 'lvs-000123',
        status: 'received',
        requestType: 'referral',
        schoolLocation: '12AB00',
        municipality: '0363',
        urgency: 'regular',
        concerns: ['absence', 'home-situation'],
        age: 11,
        referralIds: [],
        receivedAt: '2026-11-22T10:00:00.000Z',
        updatedAt: '2026-11-22T10:00:00.000Z',
        version: 1,
      });
      expect(stored?.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(deps.intake.messages).toEqual([{ signalId: FIRST_ID }]);
    });

    it('records who submitted it, for whom, in the change record the audit reads', async () => {
      const deps = setup();

      await submit(deps, referralSubmission({ urgency: 'urgent' }), schoolClient(), 'ib.devries');

      expect(deps.signals.allSignals()[0]?.lastChange).toEqual({
        eventType: 'signal.received',
        at: '2026-11-22T10:00:00.000Z',
        actor: {
          clientId: 'school-1',
          role: 'school',
          organisation: 'Stichting De Regenboog',
          user: 'ib.devries',
        },
        onBehalfOf: { schoolLocation: '12AB00' },
        details: { requestType: 'referral', urgency: 'urgent' },
      });
    });

    it('stores a consultation with its given age, no pseudonym and no pseudonymizer call', async () => {
      const deps = setup();

      await submit(deps, consultationSubmission({ pupil: { age: 14 } }));

      const stored = deps.signals.allSignals()[0];
      expect(stored).toMatchObject({ requestType: 'consultation', age: 14, status: 'received' });
      expect(stored).not.toHaveProperty('pupilPseudonym');
      expect(deps.pseudonymizer.calls).toEqual([]);
    });

    it('stores the postcode without its space', async () => {
      const deps = setup();

      await submit(deps, referralSubmission({ pupil: { postcode: '1011 AB' } }));

      const submission = deps.vault.contents(deps.signals.allSignals()[0]?.sealedSubmission ?? '');
      expect(submission?.requestType === 'referral' && submission.pupil.postcode).toBe('1011AB');
    });
  });

  describe('pupil identity (Invariant 4)', () => {
    const bsn = '999900031';

    it('pseudonymizes the BSN and stores the pseudonym', async () => {
      const deps = setup();

      await submit(deps, referralSubmission({ pupil: { bsn } }));

      expect(deps.pseudonymizer.calls).toEqual([{ kind: 'bsn', value: bsn }]);
      expect(deps.signals.allSignals()[0]?.pupilPseudonym).toBe(FakePseudonymizer.expected('bsn', bsn));
    });

    it('pseudonymizes the onderwijsnummer as such when the pupil has no BSN', async () => {
      const deps = setup();

      await submit(deps, referralSubmission({ pupil: { bsn: undefined, onderwijsnummer: '101000012' } }));

      expect(deps.pseudonymizer.calls).toEqual([{ kind: 'onderwijsnummer', value: '101000012' }]);
      expect(deps.signals.allSignals()[0]?.pupilPseudonym).toBe(
        FakePseudonymizer.expected('onderwijsnummer', '101000012'),
      );
    });

    it('puts only the signal id on the intake queue, never the BSN or other pupil data', async () => {
      const deps = setup();

      await submit(deps, referralSubmission({ pupil: { bsn } }));

      expect(deps.intake.messages).toEqual([{ signalId: FIRST_ID }]);
      const text = JSON.stringify(deps.intake.messages);
      for (const secret of [bsn, '2015-03-14', '1011AB', 'J. de Vries', 'Frequent absence']) {
        expect(text).not.toContain(secret);
      }
    });

    it('stores the submission only sealed: no BSN, birth date, postcode, name or summary in the signal', async () => {
      const deps = setup();

      await submit(deps, referralSubmission({ pupil: { bsn } }));

      const stored = deps.signals.allSignals()[0];
      const text = JSON.stringify(stored);
      for (const secret of [
        bsn,
        '2015-03-14',
        '1011AB',
        'J. de Vries',
        'ib@school.example',
        'Frequent absence',
      ]) {
        expect(text).not.toContain(secret);
      }
      const sealed = deps.vault.contents(stored?.sealedSubmission ?? '');
      expect(sealed?.requestType === 'referral' && sealed.pupil.bsn).toBe(bsn);
    });

    it('seals the submission under the signal’s own id', async () => {
      const deps = setup();

      const { id } = await submit(deps, referralSubmission());

      const stored = deps.signals.allSignals()[0];
      await expect(deps.vault.open(id, stored?.sealedSubmission ?? '')).resolves.toMatchObject({
        sourceId: 'lvs-000123',
      });
      await expect(deps.vault.open('another-signal', stored?.sealedSubmission ?? '')).rejects.toThrow();
    });
  });

  describe('a retried submission (Invariant 2)', () => {
    it('returns the same id, marked replayed, and stores no second signal when the same body is sent again', async () => {
      const deps = setup();
      const first = await submit(deps, referralSubmission());

      const second = await submit(deps, referralSubmission());

      expect(second).toEqual({ id: first.id, status: 'received', replayed: true });
      expect(deps.signals.allSignals()).toHaveLength(1);
      expect(deps.signals.writes).toEqual(['createSignal']);
    });

    it('enqueues the signal again while it is still received', async () => {
      const deps = setup();
      const first = await submit(deps, referralSubmission());

      await submit(deps, referralSubmission());

      expect(deps.intake.messages).toEqual([{ signalId: first.id }, { signalId: first.id }]);
    });

    it.each<SignalStatus>(['routed', 'unroutable', 'withdrawn'])(
      'returns status %s and does not enqueue again when the signal has moved on',
      async (status) => {
        const deps = setup();
        const first = await submit(deps, referralSubmission());
        const stored = deps.signals.allSignals()[0];
        if (!stored) throw new Error('no signal stored');
        deps.signals.putSignal({ ...stored, status, version: 2 });

        const second = await submit(deps, referralSubmission());

        expect(second).toEqual({ id: first.id, status, replayed: true });
        expect(deps.intake.messages).toEqual([{ signalId: first.id }]);
      },
    );

    it('treats "1011 AB" and "1011AB" as the same content', async () => {
      const deps = setup();
      const first = await submit(deps, referralSubmission({ pupil: { postcode: '1011AB' } }));

      const second = await submit(deps, referralSubmission({ pupil: { postcode: '1011 AB' } }));

      expect(second).toMatchObject({ id: first.id, replayed: true });
    });

    it('raises ConflictError and stores and enqueues nothing more when the sourceId comes with other content', async () => {
      const deps = setup();
      await submit(deps, referralSubmission());

      const error = await rejection(submit(deps, referralSubmission({ urgency: 'urgent' })));

      expect(error).toBeInstanceOf(ConflictError);
      expect(deps.signals.allSignals()).toHaveLength(1);
      expect(deps.signals.allSignals()[0]?.urgency).toBe('regular');
      expect(deps.intake.messages).toHaveLength(1);
    });

    it('creates a separate signal when another client uses the same sourceId', async () => {
      const deps = setup();
      const first = await submit(deps, referralSubmission());

      const other = await submit(deps, referralSubmission(), schoolClient({ clientId: 'school-2' }));

      expect(other.replayed).toBe(false);
      expect(other.id).not.toBe(first.id);
      expect(deps.signals.allSignals()).toHaveLength(2);
    });
  });

  describe('for which school locations', () => {
    it('raises ForbiddenError naming schoolLocation when the location is outside the client scope', async () => {
      const deps = setup();

      const error = await rejection(submit(deps, referralSubmission({ schoolLocation: '99ZZ00' })));

      expect(error).toBeInstanceOf(ForbiddenError);
      expect((error as ForbiddenError).invalidParams?.map((p) => p.name)).toEqual(['schoolLocation']);
      expectNothingPersisted(deps);
    });

    it('raises ForbiddenError when a school client has no school locations at all', async () => {
      const deps = setup();

      const error = await rejection(submit(deps, referralSubmission(), schoolClient({ scope: {} })));

      expect(error).toBeInstanceOf(ForbiddenError);
      expectNothingPersisted(deps);
    });
  });

  describe('input only the calendar can judge (Invariant 6)', () => {
    it('reports a birth date in the future at pupil.birthDate and asks for no consent', async () => {
      const deps = setup();

      const error = await rejection(submit(deps, referralSubmission({ pupil: { birthDate: '2026-11-23' } })));

      expect((error as ValidationError).invalidParams).toEqual([
        { name: 'pupil.birthDate', reason: 'must not be in the future' },
      ]);
      expectNothingPersisted(deps);
    });

    it('reports a consent recorded in the future at consent.recordedOn', async () => {
      const deps = setup();

      const error = await rejection(
        submit(deps, referralSubmission({ consent: { recordedOn: '2026-11-23' } })),
      );

      expect((error as ValidationError).invalidParams.map((p) => p.name)).toEqual(['consent.recordedOn']);
      expectNothingPersisted(deps);
    });
  });

  describe('consent by age on the day of submission', () => {
    // Submitted 2026-11-22 (10:00 UTC, 11:00 in Amsterdam).
    it.each<[string, string, { parents: boolean; pupil: boolean }, string[]]>([
      ['11', '2015-03-14', { parents: true, pupil: false }, []],
      ['11', '2015-03-14', { parents: false, pupil: true }, ['consent.parents']],
      ['12 today', '2014-11-22', { parents: true, pupil: false }, ['consent.pupil']],
      ['12 today', '2014-11-22', { parents: true, pupil: true }, []],
      ['15', '2011-11-23', { parents: false, pupil: true }, ['consent.parents']],
      ['15', '2011-11-23', { parents: false, pupil: false }, ['consent.parents', 'consent.pupil']],
      ['16 today', '2010-11-22', { parents: false, pupil: true }, []],
      ['16 today', '2010-11-22', { parents: true, pupil: false }, ['consent.pupil']],
    ])('for a pupil aged %s born %s with consent %j reports %j', async (_age, birthDate, consent, names) => {
      const deps = setup();
      const body = referralSubmission({ pupil: { birthDate }, consent });

      const outcome = await submit(deps, body).then(
        () => [],
        (error: ValidationError) => error.invalidParams.map((p) => p.name),
      );

      expect(outcome).toEqual(names);
      expect(deps.signals.allSignals()).toHaveLength(names.length === 0 ? 1 : 0);
    });

    it('counts the Amsterdam day: at 23:30 UTC before the 12th birthday the pupil is already 12', async () => {
      // 2026-11-21T23:30Z is 00:30 on 22 November in Amsterdam (CET, UTC+1).
      const deps = setup('2026-11-21T23:30:00Z');
      const body = referralSubmission({
        pupil: { birthDate: '2014-11-22' },
        consent: { parents: true, pupil: false, recordedOn: '2026-11-20' },
      });

      const error = await rejection(submit(deps, body));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams).toEqual([
        { name: 'consent.pupil', reason: expect.stringContaining('aged 12') },
      ]);
      expectNothingPersisted(deps);
    });

    it('still counts 11 years at 22:30 UTC, which is 23:30 the day before in Amsterdam', async () => {
      const deps = setup('2026-11-21T22:30:00Z');
      const body = referralSubmission({
        pupil: { birthDate: '2014-11-22' },
        consent: { parents: true, pupil: false, recordedOn: '2026-11-20' },
      });

      await submit(deps, body);

      expect(deps.signals.allSignals()[0]?.age).toBe(11);
    });

    it('counts the Amsterdam day in summer time too (22:30 UTC is 00:30 CEST)', async () => {
      const deps = setup('2026-06-14T22:30:00Z');
      const body = referralSubmission({
        pupil: { birthDate: '2014-06-15' },
        consent: { parents: true, pupil: false, recordedOn: '2026-06-14' },
      });

      const error = await rejection(submit(deps, body));

      expect((error as ValidationError).invalidParams.map((p) => p.name)).toEqual(['consent.pupil']);
    });

    it('accepts a birthday and consent day that are today in Amsterdam but tomorrow in UTC terms', async () => {
      const deps = setup('2026-11-21T23:30:00Z');
      const body = referralSubmission({
        pupil: { birthDate: '2014-11-22' },
        consent: { parents: true, pupil: true, recordedOn: '2026-11-22' },
      });

      await submit(deps, body);

      expect(deps.signals.allSignals()[0]?.age).toBe(12);
    });
  });

  describe('when the intake queue fails', () => {
    it('raises ServiceUnavailableError but keeps the stored signal', async () => {
      const deps = setup();
      deps.intake.failNext();

      const error = await rejection(submit(deps, referralSubmission()));

      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(deps.signals.allSignals().map((s) => [s.id, s.status])).toEqual([[FIRST_ID, 'received']]);
      expect(deps.intake.messages).toEqual([]);
    });

    it('enqueues the stored signal, without a second signal, when the same body is sent again', async () => {
      const deps = setup();
      deps.intake.failNext();
      await rejection(submit(deps, referralSubmission()));

      const retry = await submit(deps, referralSubmission());

      expect(retry).toEqual({ id: FIRST_ID, status: 'received', replayed: true });
      expect(deps.signals.allSignals()).toHaveLength(1);
      expect(deps.intake.messages).toEqual([{ signalId: FIRST_ID }]);
    });

    it('enqueues the stored signal when the retry comes just after midnight made the pupil 12', async () => {
      // First attempt 23:59 in Amsterdam on the day before the 12th birthday: the parents'
      // consent suffices, the signal is stored, the queue fails and the client is told to resend.
      const deps = setup('2026-11-21T22:59:00Z');
      deps.intake.failNext();
      const body = referralSubmission({
        pupil: { birthDate: '2014-11-22' },
        consent: { parents: true, pupil: false, recordedOn: '2026-11-20' },
      });
      await rejection(submit(deps, body));

      const retry = await submit({ ...deps, now: fixedClock('2026-11-21T23:01:00Z') }, body);

      expect(retry).toEqual({ id: FIRST_ID, status: 'received', replayed: true });
      expect(deps.intake.messages).toEqual([{ signalId: FIRST_ID }]);
    });

    it('lets a store failure through as it is (not as a 4xx)', async () => {
      const deps = setup();
      const failure = new Error('table unavailable');
      deps.signals.failNext('createSignal', failure);

      const error = await rejection(submit(deps, referralSubmission()));

      expect(error).toBe(failure);
      expect(deps.intake.messages).toEqual([]);
    });
  });
});

describe('submitSignal: the two-week clock and the consultation a referral follows', () => {
  it('starts the clock at midnight of the care-team discussion and keeps the day', async () => {
    const deps = setup();

    await submit(deps, { ...referralSubmission(), discussedInCareTeamOn: '2026-11-18' });

    expect(deps.signals.allSignals()[0]).toMatchObject({
      discussedInCareTeamOn: '2026-11-18',
      clockStartAt: '2026-11-17T23:00:00.000Z',
    });
  });

  it('starts the clock at receipt without a discussion day', async () => {
    const deps = setup();

    await submit(deps, referralSubmission());

    const [stored] = deps.signals.allSignals();
    expect(stored?.clockStartAt).toBe('2026-11-22T10:00:00.000Z');
    expect(stored).not.toHaveProperty('discussedInCareTeamOn');
  });

  it('refuses a consultation its own client sent at another school (another BRIN)', async () => {
    const deps = setup();
    const twoSchools = schoolClient({ scope: { schoolLocations: ['12AB00', '34CD00'] } });
    const consultation = await submit(
      deps,
      { ...consultationSubmission(), schoolLocation: '34CD00' },
      twoSchools,
    );

    const error = await rejection(
      submit(deps, { ...referralSubmission(), followsConsultation: consultation.id }, twoSchools),
    );

    expect((error as ValidationError).invalidParams?.map((p) => p.name)).toEqual(['followsConsultation']);
    expect(deps.signals.allSignals()).toHaveLength(1);
  });

  it('starts no clock for a consultation, which asks for advice', async () => {
    const deps = setup();

    await submit(deps, consultationSubmission());

    expect(deps.signals.allSignals()[0]).not.toHaveProperty('clockStartAt');
  });

  it('links a referral to a consultation the same school sent', async () => {
    const deps = setup();
    const consultation = await submit(deps, consultationSubmission());

    await submit(deps, { ...referralSubmission(), followsConsultation: consultation.id });

    expect(deps.signals.allSignals()[1]).toMatchObject({ followsConsultation: consultation.id });
  });

  it.each([
    ['an unknown id', async (_deps: Deps) => '00000000-0000-4000-8000-0000000000ff'],
    [
      'a referral',
      async (deps: Deps) => (await submit(deps, { ...referralSubmission(), sourceId: 'lvs-r' })).id,
    ],
    [
      'a consultation of the same BRIN sent by another client for a location not its own',
      async (deps: Deps) =>
        (
          await submit(
            deps,
            { ...consultationSubmission(), schoolLocation: '12AB05' },
            schoolClient({ clientId: 'school-2', scope: { schoolLocations: ['12AB05'] } }),
          )
        ).id,
    ],
    [
      'another school’s consultation',
      async (deps: Deps) =>
        (
          await submit(
            deps,
            { ...consultationSubmission(), schoolLocation: '34CD00' },
            schoolClient({ clientId: 'school-2', scope: { schoolLocations: ['34CD00'] } }),
          )
        ).id,
    ],
  ])('refuses to follow %s, naming followsConsultation, and stores nothing', async (_case, arrange) => {
    const deps = setup();
    const target = await arrange(deps);
    const before = deps.signals.allSignals().length;

    const error = await rejection(
      submit(deps, { ...referralSubmission(), sourceId: 'lvs-follow', followsConsultation: target }),
    );

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).invalidParams).toEqual([
      { name: 'followsConsultation', reason: 'must be the id of a consultation this school sent' },
    ]);
    expect(deps.signals.allSignals()).toHaveLength(before);
  });
});
