import type { RetentionPeriods } from '../../domain/retention.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { AuditLog } from '../shared/ports/audit-log.js';
import type { AuditRetention } from '../shared/ports/audit-retention.js';
import type { PurgeCandidates } from '../shared/ports/purge-candidates.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import { type PurgeSummary, purgePupilData } from './purge-pupil-data.js';
import { type TrimSummary, trimAuditTrail } from './trim-audit-trail.js';

export interface ApplyRetentionDeps {
  signals: SignalStore;
  candidates: PurgeCandidates;
  audit: AuditLog;
  auditRetention: AuditRetention;
  periods: RetentionPeriods;
  now: () => Date;
}

export interface RetentionRun {
  pupilData: PurgeSummary;
  auditTrail: TrimSummary;
  /** False when the time ran out or something failed: the next run goes on from what is left. */
  complete: boolean;
}

/**
 * Time kept back at the end of an invocation: the steps in flight (a transaction, a batch of
 * deletes with its retries) finish within it, and nothing is cut off by the timeout.
 */
export const STOP_MARGIN_MS = 20_000;

/** Items that failed unexpectedly; the run reports them after doing all it could. */
export class RetentionIncompleteError extends Error {
  override name = 'RetentionIncompleteError';
}

/**
 * One retention run: the pupil data that is due, then the audit years that are due. Every step is
 * idempotent and the state it leaves is consistent, so a run may stop anywhere (time, an error):
 * the next run, a day later, continues from what it finds.
 */
export async function applyRetention(
  deps: ApplyRetentionDeps,
  options: { remainingMs: () => number },
): Promise<RetentionRun> {
  const shouldStop = () => options.remainingMs() < STOP_MARGIN_MS;
  const pupilData = await purgePupilData(deps, shouldStop);
  const auditTrail = await trimAuditTrail({ ...deps, auditYears: deps.periods.auditYears }, shouldStop);
  const complete =
    pupilData.deferred === 0 &&
    pupilData.failed === 0 &&
    auditTrail.deferred === 0 &&
    auditTrail.failed === 0;
  logEvent(LOG_EVENTS.retentionApplied, {
    complete,
    ...prefixed('pupilData', pupilData),
    ...prefixed('auditTrail', auditTrail),
  });
  if (pupilData.failed + auditTrail.failed > 0) {
    throw new RetentionIncompleteError(
      `retention left ${pupilData.failed} signals and ${auditTrail.failed} audit chains for the next run`,
    );
  }
  return { pupilData, auditTrail, complete };
}

function prefixed(prefix: string, counts: object): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).map(([key, value]) => [`${prefix}${key[0]?.toUpperCase()}${key.slice(1)}`, value]),
  );
}
