import { utcTimestamp } from '../../domain/dates.js';
import {
  earliestPossiblyDue,
  isPurgeDue,
  type PurgeReason,
  pupilDataPurgeDue,
  type RetentionPeriods,
} from '../../domain/retention.js';
import type { AuditActor } from '../../schemas/audit-event.js';
import { settleBounded } from '../shared/concurrency.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { ChangeRecord, StoredReferral, StoredSignal } from '../shared/model.js';
import type { PurgeCandidates } from '../shared/ports/purge-candidates.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import { referralWrite, signalWrite } from '../shared/state-changes.js';

export interface PurgePupilDataDeps {
  signals: SignalStore;
  candidates: PurgeCandidates;
  periods: RetentionPeriods;
  now: () => Date;
}

export const RETENTION_ACTOR: AuditActor = { clientId: 'schakel-retention', role: 'system' };

/** Signals handled at once: each is a read of the signal with its referrals and one transaction. */
const SIGNALS_AT_ONCE = 8;

export interface PurgeSummary {
  candidates: number;
  purgedSignals: number;
  purgedReferrals: number;
  /** Candidates whose time has not come (an open referral, a recent close). */
  notDue: number;
  /** Changed by someone else between read and write: tried again on the next run. */
  conflicts: number;
  failed: number;
  /** Candidates left for the next run because the time ran out. */
  deferred: number;
}

export type PurgeOutcome =
  | { kind: 'purged'; signal: boolean; referrals: number }
  | { kind: 'not-due' }
  | { kind: 'conflict' };

function change(eventType: ChangeRecord['eventType'], at: string, reason: PurgeReason): ChangeRecord {
  return { eventType, at, actor: RETENTION_ACTOR, purpose: 'retention', details: { reason } };
}

/**
 * The signal without its pupil data: the sealed submission (identity, birth date, postcode,
 * summary, contact) goes; statuses, instants, school location, municipality, concerns, urgency,
 * age and the pupil pseudonym stay for lead-time figures, the audit and subject access. A new
 * version, so the audit writer records the removal (action D) from the stream like any change.
 */
export function purgedSignal(signal: StoredSignal, at: string, reason: PurgeReason): StoredSignal {
  const { sealedSubmission: _removed, ...kept } = signal;
  return {
    ...kept,
    pupilDataPurgedAt: at,
    version: signal.version + 1,
    updatedAt: at,
    lastChange: change('signal.purged', at, reason),
  };
}

/** The referral without the free-text reasons of its history; statuses and instants stay. */
export function purgedReferral(referral: StoredReferral, at: string, reason: PurgeReason): StoredReferral {
  return {
    ...referral,
    history: referral.history.map(({ reason: _removed, ...entry }) => entry),
    pupilDataPurgedAt: at,
    version: referral.version + 1,
    updatedAt: at,
    lastChange: change('referral.purged', at, reason),
  };
}

/**
 * Purges one signal and its referrals in one transaction when the rules say it is time; parts
 * purged before (a referral made after the signal's purge) are left as they are.
 */
export async function purgeSignal(deps: PurgePupilDataDeps, signalId: string): Promise<PurgeOutcome> {
  const found = await deps.signals.getSignalWithReferrals(signalId, []);
  if (!found) return { kind: 'not-due' };
  const { signal, referrals } = found;
  const now = deps.now();
  const due = pupilDataPurgeDue({ ...signal, referrals }, deps.periods);
  if (!isPurgeDue(due, now)) return { kind: 'not-due' };
  const at = utcTimestamp(now);
  const signalDue = signal.pupilDataPurgedAt === undefined;
  const referralsDue = referrals.filter((r) => r.pupilDataPurgedAt === undefined);
  if (!signalDue && referralsDue.length === 0) return { kind: 'not-due' };
  const writes = [
    ...(signalDue ? [signalWrite(purgedSignal(signal, at, due.reason))] : []),
    ...referralsDue.map((r) => referralWrite(purgedReferral(r, at, due.reason))),
  ];
  if ((await deps.signals.commit(writes)) === 'conflict') return { kind: 'conflict' };
  return { kind: 'purged', signal: signalDue, referrals: referralsDue.length };
}

/**
 * Removes the pupil data that is due, signal by signal, until `shouldStop()`: what is left is found
 * again by the next run, since a purged item no longer matches the search.
 */
export async function purgePupilData(
  deps: PurgePupilDataDeps,
  shouldStop: () => boolean,
): Promise<PurgeSummary> {
  const cutoff = utcTimestamp(earliestPossiblyDue(deps.now(), deps.periods));
  const ids = await deps.candidates.signalIds(cutoff);
  const summary: PurgeSummary = {
    candidates: ids.length,
    purgedSignals: 0,
    purgedReferrals: 0,
    notDue: 0,
    conflicts: 0,
    failed: 0,
    deferred: 0,
  };
  const results = await settleBounded(ids, SIGNALS_AT_ONCE, async (id) =>
    shouldStop() ? ({ kind: 'deferred' } as const) : purgeSignal(deps, id),
  );
  for (const result of results) {
    if (result.status === 'rejected') {
      summary.failed += 1;
      logEvent(
        LOG_EVENTS.retentionItemFailed,
        { kind: 'signal', errorName: (result.reason as Error).name },
        'error',
      );
      continue;
    }
    const outcome = result.value;
    if (outcome.kind === 'purged') {
      summary.purgedSignals += outcome.signal ? 1 : 0;
      summary.purgedReferrals += outcome.referrals;
    } else if (outcome.kind === 'not-due') summary.notDue += 1;
    else if (outcome.kind === 'conflict') summary.conflicts += 1;
    else summary.deferred += 1;
  }
  return summary;
}
