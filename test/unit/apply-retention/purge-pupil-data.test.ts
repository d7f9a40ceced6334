import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../domain/audit-chain.js';
import { DEFAULT_RETENTION } from '../../../domain/retention.js';
import {
  type PurgePupilDataDeps,
  purgePupilData,
  RETENTION_ACTOR,
} from '../../../functions/apply-retention/purge-pupil-data.js';
import { referralItem, signalItem } from '../../../functions/shared/adapters/state-items.js';
import type { StoredReferral, StoredSignal } from '../../../functions/shared/model.js';
import type { PurgeCandidates } from '../../../functions/shared/ports/purge-candidates.js';
import { stepReferral } from '../../../functions/shared/state-changes.js';
import { deriveAuditEvent } from '../../../functions/write-audit/derive-audit-event.js';
import { writeAudit } from '../../../functions/write-audit/write-audit.js';
import { AuditEventSchema } from '../../../schemas/audit-event.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { FakeAuditLog, fixedClock, InMemoryStateStore } from '../../helpers/fakes.js';

// The pupil data purge on the in-memory store, with a fake clock: what goes, what stays, that it
// is a versioned change the audit writer chains as a removal, and that a run can stop anywhere.

const CLOSED_AT = '2026-12-01T15:00:00.000Z';
const SIX_MONTHS_LATER = '2027-06-01T15:00:00.000Z';

/** Every signal of the store is a candidate: the rules, not the search, must decide. */
class AllSignals implements PurgeCandidates {
  readonly cutoffs: string[] = [];
  constructor(private readonly store: InMemoryStateStore) {}
  async signalIds(receivedAtOrBefore: string) {
    this.cutoffs.push(receivedAtOrBefore);
    return this.store.allSignals().map((s) => s.id);
  }
}

function closedReferral(): StoredReferral {
  return storedReferral({
    status: 'closed',
    version: 3,
    history: [
      { status: 'queued', at: '2026-11-22T10:00:05.000Z' },
      {
        status: 'rejected' as const,
        at: '2026-11-23T10:00:00.000Z',
        reason: 'Familie De Vries is al bekend',
      },
      { status: 'closed', at: CLOSED_AT },
    ],
    updatedAt: CLOSED_AT,
  });
}

function routedSignal(): StoredSignal {
  return storedSignal({ status: 'routed', version: 2, referralIds: [storedReferral().id] });
}

function setup(now: string, signal = routedSignal(), referral = closedReferral()) {
  const store = new InMemoryStateStore();
  store.putSignal(signal);
  store.putReferral(referral);
  const deps: PurgePupilDataDeps = {
    signals: store,
    candidates: new AllSignals(store),
    periods: DEFAULT_RETENTION,
    now: fixedClock(now),
  };
  return { store, deps };
}

const never = () => false;

describe('purgePupilData', () => {
  it('leaves the pupil data one millisecond before six months after the close', async () => {
    const { store, deps } = setup('2027-06-01T14:59:59.999Z');

    const summary = await purgePupilData(deps, never);

    expect(summary).toMatchObject({ candidates: 1, purgedSignals: 0, notDue: 1 });
    expect(store.allSignals()[0]?.sealedSubmission).toBe(routedSignal().sealedSubmission);
  });

  it('removes the sealed submission six months after the close, as version + 1 by retention', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);

    const summary = await purgePupilData(deps, never);

    expect(summary).toMatchObject({ candidates: 1, purgedSignals: 1, purgedReferrals: 1, failed: 0 });
    const signal = store.allSignals()[0] as StoredSignal;
    expect(signal).not.toHaveProperty('sealedSubmission');
    expect(signal).toMatchObject({
      version: 3,
      pupilDataPurgedAt: SIX_MONTHS_LATER,
      updatedAt: SIX_MONTHS_LATER,
      lastChange: {
        eventType: 'signal.purged',
        at: SIX_MONTHS_LATER,
        actor: RETENTION_ACTOR,
        purpose: 'retention',
        details: { reason: 'closed-period' },
      },
    });
  });

  it('keeps what lead-time figures, the audit and subject access need', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);
    const before = routedSignal();

    await purgePupilData(deps, never);

    const { sealedSubmission: _gone, ...kept } = before;
    expect(store.allSignals()[0]).toMatchObject({
      ...kept,
      version: 3,
      updatedAt: SIX_MONTHS_LATER,
      lastChange: expect.anything(),
    });
    expect(store.allSignals()[0]?.pupilPseudonym).toBe(before.pupilPseudonym);
  });

  it('removes the free-text reasons from the referral history and keeps its statuses and instants', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);

    await purgePupilData(deps, never);

    const referral = store.allReferrals()[0] as StoredReferral;
    expect(referral.history).toEqual([
      { status: 'queued', at: '2026-11-22T10:00:05.000Z' },
      { status: 'rejected', at: '2026-11-23T10:00:00.000Z' },
      { status: 'closed', at: CLOSED_AT },
    ]);
    expect(referral).toMatchObject({
      status: 'closed',
      version: 4,
      pupilDataPurgedAt: SIX_MONTHS_LATER,
      lastChange: {
        eventType: 'referral.purged',
        purpose: 'retention',
        details: { reason: 'closed-period' },
      },
    });
    expect(JSON.stringify(store.allReferrals())).not.toContain('De Vries');
  });

  it('purges at two years after receipt while a referral is still open, saying so', async () => {
    const open = storedReferral({ status: 'started', version: 4 });
    const { store, deps } = setup('2028-11-22T10:00:00.000Z', routedSignal(), open);

    await purgePupilData(deps, never);

    expect(store.allSignals()[0]).toMatchObject({ lastChange: { details: { reason: 'maximum-age' } } });
    expect(store.allReferrals()[0]).toMatchObject({
      status: 'started',
      pupilDataPurgedAt: expect.any(String),
    });
  });

  it('does not purge an open referral one millisecond before two years', async () => {
    const open = storedReferral({ status: 'started', version: 4 });
    const { store, deps } = setup('2028-11-22T09:59:59.999Z', routedSignal(), open);

    expect(await purgePupilData(deps, never)).toMatchObject({ purgedSignals: 0, notDue: 1 });
    expect(store.writes).toEqual([]);
  });

  it('purges once: a second run changes nothing', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);
    await purgePupilData(deps, never);

    const again = await purgePupilData(deps, never);

    expect(again).toMatchObject({ purgedSignals: 0, purgedReferrals: 0, notDue: 1 });
    expect(store.allSignals()[0]?.version).toBe(3);
  });

  it('purges a referral made after the signal was purged, and leaves the signal as it is', async () => {
    const purgedAt = '2028-11-22T10:00:00.000Z';
    const signal = storedSignal({
      status: 'routed',
      version: 3,
      sealedSubmission: undefined,
      pupilDataPurgedAt: purgedAt,
      referralIds: [storedReferral().id],
    });
    const later = storedReferral({
      status: 'rejected',
      history: [
        { status: 'queued', at: '2028-11-23T00:00:00.000Z' },
        { status: 'rejected', at: '2028-11-24T00:00:00.000Z', reason: 'geen capaciteit' },
      ],
    });
    const { store, deps } = setup('2028-11-25T00:00:00.000Z', signal, later);

    expect(await purgePupilData(deps, never)).toMatchObject({ purgedSignals: 0, purgedReferrals: 1 });
    expect(store.allSignals()[0]?.version).toBe(3);
    expect(store.allReferrals()[0]?.history.map((h) => h.reason)).toEqual([undefined, undefined]);
  });

  it('leaves a signal another writer changed meanwhile for the next run', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);
    store.beforeNextWrite(() => store.putSignal({ ...routedSignal(), version: 3 }));

    const summary = await purgePupilData(deps, never);

    expect(summary).toMatchObject({ purgedSignals: 0, conflicts: 1 });
    expect(store.allSignals()[0]?.sealedSubmission).toBeDefined();
  });

  it('counts a signal that fails and goes on with the others', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);
    store.putSignal({
      ...routedSignal(),
      id: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c02',
      referralIds: [],
      status: 'withdrawn',
    });
    store.failNext('getSignalWithReferrals');

    const summary = await purgePupilData(deps, never);

    expect(summary).toMatchObject({ candidates: 2, failed: 1, purgedSignals: 1 });
  });

  it('defers every candidate once told to stop, and purges nothing then', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);

    const summary = await purgePupilData(deps, () => true);

    expect(summary).toMatchObject({ candidates: 1, deferred: 1, purgedSignals: 0 });
    expect(store.writes).toEqual([]);
  });

  it('searches for signals received six months (and a margin) before now', async () => {
    const { deps } = setup(SIX_MONTHS_LATER);

    await purgePupilData(deps, never);

    expect((deps.candidates as AllSignals).cutoffs).toEqual(['2026-12-05T15:00:00.000Z']);
  });
});

describe('the purge in the audit trail', () => {
  it('becomes a D event for retention that names no pupil data, and the chain verifies', async () => {
    const { store, deps } = setup(SIX_MONTHS_LATER);
    const before = {
      signal: store.allSignals()[0] as StoredSignal,
      referral: store.allReferrals()[0] as StoredReferral,
    };
    await purgePupilData(deps, never);
    const after = {
      signal: store.allSignals()[0] as StoredSignal,
      referral: store.allReferrals()[0] as StoredReferral,
    };

    const signalEvent = deriveAuditEvent({
      eventName: 'MODIFY',
      oldItem: signalItem(before.signal),
      newItem: signalItem(after.signal),
    });
    const referralEvent = deriveAuditEvent({
      eventName: 'MODIFY',
      oldItem: referralItem(before.referral),
      newItem: referralItem(after.referral),
    });

    expect(signalEvent).toMatchObject({
      kind: 'audit',
      draft: {
        action: 'D',
        eventType: 'signal.purged',
        purpose: 'retention',
        actor: RETENTION_ACTOR,
        object: { type: 'signal', version: 3, pupilPseudonym: before.signal.pupilPseudonym },
        details: { reason: 'closed-period' },
      },
    });
    expect(referralEvent).toMatchObject({
      kind: 'audit',
      draft: { action: 'D', eventType: 'referral.purged', object: { type: 'referral', version: 4 } },
    });
    expect(JSON.stringify([signalEvent, referralEvent])).not.toMatch(/999900018|De Vries|sealed/);
  });

  it('continues a signal’s audit without a version gap', async () => {
    const history: StoredSignal[] = [storedSignal(), { ...routedSignal() }];
    const { store, deps } = setup(SIX_MONTHS_LATER, history[1]);
    await purgePupilData(deps, never);
    history.push(store.allSignals()[0] as StoredSignal);
    const audit = new FakeAuditLog(fixedClock(SIX_MONTHS_LATER));

    const written = await writeAudit(
      { audit },
      history.map((signal, i) => ({
        key: String(i),
        change: {
          eventName: i === 0 ? 'INSERT' : 'MODIFY',
          ...(i > 0 ? { oldItem: signalItem(history[i - 1] as StoredSignal) } : {}),
          newItem: signalItem({
            ...signal,
            lastChange: i === 1 ? { ...signal.lastChange, eventType: 'signal.routed' } : signal.lastChange,
          }),
        },
      })),
    );

    const entries = audit.entries('0363');
    expect(written).toMatchObject({ appended: 3 });
    expect(entries.map((e) => [e.eventType, e.action])).toEqual([
      ['signal.received', 'C'],
      ['signal.routed', 'U'],
      ['signal.purged', 'D'],
    ]);
    for (const entry of entries) AuditEventSchema.parse(entry);
    expect(verifyChain(entries)).toMatchObject({ valid: true, count: 3 });
  });
});

describe('a referral open when the maximum age purged it', () => {
  it('takes no new free-text reason', () => {
    const purged = storedReferral({ status: 'accepted', pupilDataPurgedAt: '2028-11-22T10:00:00.000Z' });

    const step = stepReferral(
      purged,
      'rejected',
      { at: '2028-12-01T00:00:00.000Z', actor: RETENTION_ACTOR },
      'een reden',
    );

    expect(step.ok && step.referral.history.at(-1)).toEqual({
      status: 'rejected',
      at: '2028-12-01T00:00:00.000Z',
    });
  });

  it('still keeps the reason of a referral that was not purged', () => {
    const step = stepReferral(
      storedReferral(),
      'rejected',
      { at: '2026-12-01T00:00:00.000Z', actor: RETENTION_ACTOR },
      'een reden',
    );

    expect(step.ok && step.referral.history.at(-1)?.reason).toBe('een reden');
  });
});
