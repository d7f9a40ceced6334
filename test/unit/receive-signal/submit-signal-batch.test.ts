import { describe, expect, it } from 'vitest';
import type { SubmitSignalResult } from '../../../functions/receive-signal/submit-signal.js';
import { submitSignal } from '../../../functions/receive-signal/submit-signal.js';
import {
  BATCH_CONCURRENCY,
  type BatchItem,
  type BatchItemOutcome,
  submitSignalBatch,
} from '../../../functions/receive-signal/submit-signal-batch.js';
import {
  ConflictError,
  ForbiddenError,
  ServiceUnavailableError,
  ValidationError,
} from '../../../functions/shared/errors.js';
import type { SignalSubmission } from '../../../schemas/signal.js';
import { schoolClient } from '../../helpers/clients.js';
import { consultationSubmission, referralSubmission } from '../../helpers/factories.js';
import {
  type FakeSubmitSignalDeps as Deps,
  submitSignalDeps as setup,
} from '../../helpers/submit-signal-deps.js';

const valid = (value: SignalSubmission): BatchItem => ({ ok: true, value });
const referral = (sourceId: string, overrides: Parameters<typeof referralSubmission>[0] = {}) =>
  valid(referralSubmission({ sourceId, ...overrides }));
const submitBatch = (deps: Deps, items: BatchItem[], user?: string) =>
  submitSignalBatch(deps, { client: schoolClient(), user, items });

function accepted(outcome: BatchItemOutcome | undefined): SubmitSignalResult {
  if (outcome?.status !== 'fulfilled')
    throw new Error(`expected an accepted item, got ${String(outcome?.status)}`);
  return outcome.value;
}

/** A signal sent alone before the batch. */
const submitEarlier = (deps: Deps, sourceId: string) =>
  submitSignal(deps, {
    client: schoolClient(),
    user: undefined,
    submission: referralSubmission({ sourceId }),
  });

const storedSourceIds = (deps: Deps) =>
  deps.signals
    .allSignals()
    .map((s) => s.sourceId)
    .sort();

function refusal(outcome: BatchItemOutcome | undefined): unknown {
  if (outcome?.status !== 'rejected')
    throw new Error(`expected a refused item, got ${String(outcome?.status)}`);
  return outcome.reason;
}

describe('submitSignalBatch', () => {
  it('stores and enqueues every valid item as a single submission would, answering in the items’ order', async () => {
    const deps = setup();
    const items = Array.from({ length: 20 }, (_, i) => referral(`lvs-${i}`));

    const outcomes = await submitBatch(deps, items, 'ib.devries');

    const ids = outcomes.map((o) => accepted(o).id);
    expect(new Set(ids).size).toBe(20);
    expect(outcomes.map((o) => accepted(o).replayed)).toEqual(Array(20).fill(false));
    const stored = deps.signals.allSignals();
    expect(stored).toHaveLength(20);
    // Item i is the signal with sourceId lvs-i, whatever order the calls finished in.
    for (const [i, id] of ids.entries()) {
      expect(stored.find((s) => s.id === id)).toMatchObject({
        sourceId: `lvs-${i}`,
        status: 'received',
        lastChange: { actor: { user: 'ib.devries' } },
      });
    }
    expect(deps.intake.messages.map((m) => m.signalId).sort()).toEqual([...ids].sort());
  });

  it('stores what a single submission of the same body stores, sealed and pseudonymized', async () => {
    const single = setup();
    const batch = setup();
    const body = referralSubmission({ pupil: { postcode: '1011 AB' } });

    await submitSignal(single, { client: schoolClient(), user: undefined, submission: body });
    await submitBatch(batch, [valid(body)]);

    expect(batch.signals.allSignals()).toEqual(single.signals.allSignals());
    expect(batch.pseudonymizer.calls).toEqual(single.pseudonymizer.calls);
    expect(batch.intake.messages).toEqual(single.intake.messages);
  });

  it('refuses a bad item with its own invalidParams and stores nothing of it, the others all the same', async () => {
    const deps = setup();
    const invalidParams = [
      { name: 'pupil.bsn', reason: 'is not a valid BSN: 9 digits passing the 11-proof' },
    ];

    const outcomes = await submitBatch(deps, [
      referral('lvs-1'),
      { ok: false, invalidParams },
      valid(consultationSubmission({ sourceId: 'lvs-3' })),
    ]);

    const reason = refusal(outcomes[1]);
    expect(reason).toBeInstanceOf(ValidationError);
    expect((reason as ValidationError).invalidParams).toEqual(invalidParams);
    expect(storedSourceIds(deps)).toEqual(['lvs-1', 'lvs-3']);
    expect(deps.intake.messages).toHaveLength(2);
  });

  it.each<[string, Parameters<typeof referralSubmission>[0], new (...args: never[]) => Error]>([
    ['consent missing for a pupil of 13', { pupil: { birthDate: '2013-01-10' } }, ValidationError],
    ['a birth date in the future', { pupil: { birthDate: '2027-01-01' } }, ValidationError],
    ['a school location of another school', { schoolLocation: '99ZZ00' }, ForbiddenError],
  ])('refuses an item with %s as a single submission would, alone', async (_case, overrides, error) => {
    const deps = setup();

    const outcomes = await submitBatch(deps, [referral('lvs-1', overrides), referral('lvs-2')]);

    expect(refusal(outcomes[0])).toBeInstanceOf(error);
    expect(accepted(outcomes[1]).replayed).toBe(false);
    expect(storedSourceIds(deps)).toEqual(['lvs-2']);
  });

  it('answers an item that repeats an earlier submission with that signal’s id and stores nothing new', async () => {
    const deps = setup();
    const earlier = await submitEarlier(deps, 'lvs-earlier');

    const outcomes = await submitBatch(deps, [referral('lvs-new'), referral('lvs-earlier')]);

    expect(accepted(outcomes[1])).toEqual({ id: earlier.id, status: 'received', replayed: true });
    expect(deps.signals.allSignals()).toHaveLength(2);
  });

  it('answers an item reusing an earlier sourceId with other content 409, naming the earlier signal', async () => {
    const deps = setup();
    const earlier = await submitEarlier(deps, 'lvs-earlier');

    const outcomes = await submitBatch(deps, [referral('lvs-earlier', { urgency: 'urgent' })]);

    const reason = refusal(outcomes[0]);
    expect(reason).toBeInstanceOf(ConflictError);
    expect((reason as ConflictError).existing?.signalId).toBe(earlier.id);
  });

  it('handles items sharing a sourceId in their order: the first is stored, a copy repeats it, other content is a 409', async () => {
    const deps = setup();
    // The first write is the slowest: run side by side, a later copy would be stored first.
    const create = deps.signals.createSignal.bind(deps.signals);
    let calls = 0;
    deps.signals.createSignal = async (signal) => {
      if (calls++ === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      return create(signal);
    };

    const outcomes = await submitBatch(deps, [
      referral('lvs-same'),
      referral('lvs-other'),
      referral('lvs-same'),
      referral('lvs-same', { urgency: 'urgent' }),
    ]);

    const first = accepted(outcomes[0]);
    expect(first.replayed).toBe(false);
    expect(accepted(outcomes[2])).toEqual({ ...first, replayed: true });
    expect((refusal(outcomes[3]) as ConflictError).existing?.signalId).toBe(first.id);
    expect(deps.signals.allSignals()).toHaveLength(2);
  });

  it('answers an item whose queueing failed 503-like and goes on with the others', async () => {
    const deps = setup();
    deps.intake.failNext();

    const outcomes = await submitBatch(deps, [referral('lvs-1'), referral('lvs-2'), referral('lvs-3')]);

    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => refusal(o))).toEqual([
      expect.any(ServiceUnavailableError),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    // Stored all the same: sending that item again replays it and queues it then.
    expect(deps.signals.allSignals()).toHaveLength(3);
  });

  it('answers an item whose store call threw with that error, for the edge to word', async () => {
    const deps = setup();
    const outage = Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    deps.signals.failNext('createSignal', outage);

    const outcomes = await submitBatch(deps, [referral('lvs-1'), referral('lvs-2')]);

    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []))).toEqual([outage]);
  });

  it(`submits at most ${BATCH_CONCURRENCY} items at once, and that many for a full batch`, async () => {
    const deps = setup();
    let inFlight = 0;
    let most = 0;
    const create = deps.signals.createSignal.bind(deps.signals);
    deps.signals.createSignal = async (signal) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return create(signal);
    };

    const outcomes = await submitBatch(
      deps,
      Array.from({ length: 100 }, (_, i) => referral(`lvs-${i}`)),
    );

    expect(outcomes.every((o) => o.status === 'fulfilled')).toBe(true);
    expect(most).toBe(BATCH_CONCURRENCY);
  });
});
