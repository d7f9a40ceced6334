import { utcTimestamp } from '../../domain/dates.js';
import { WAITING_STATUSES } from '../../domain/lead-times.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import { SYSTEM_ACTOR } from '../shared/actor.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral } from '../shared/model.js';
import type { TeamQueue } from '../shared/ports/queues.js';
import type { ReferralStore } from '../shared/ports/referral-store.js';
import type { ReferralWork } from '../shared/ports/work-lists.js';
import { referralCloudEvent } from '../shared/referral-events.js';
import { referralWrite } from '../shared/state-changes.js';

export interface EscalateReferralsDeps {
  referrals: ReferralStore & Pick<ReferralWork, 'dueReferrals'>;
  teams: TeamQueue;
  config: DeploymentConfig;
  deployment: string;
  now: () => Date;
}

export interface EscalationRun {
  escalated: number;
  /** Found due, but it started or ended meanwhile (or another run marked it first). */
  skipped: number;
  failed: number;
  /** False when time ran out: the next run goes on. */
  complete: boolean;
}

/** Referrals read per query of a municipality's due partition. */
const DUE_PAGE = 100;

/** Time kept back at the end of an invocation for the step in flight. */
export const STOP_MARGIN_MS = 10_000;

export class EscalationIncompleteError extends Error {
  override name = 'EscalationIncompleteError';
}

/** Every municipality the hub routes for: by rule, or by a team that serves it without one. */
export function municipalitiesOf(config: DeploymentConfig): string[] {
  return [
    ...new Set([
      ...config.routingRules.map((r) => r.municipality),
      ...config.teams.flatMap((t) => t.municipalities ?? []),
    ]),
  ].sort();
}

/**
 * Finds the referrals whose goal passed without help having started — accepted or not — and, once
 * per referral: tells the team (CloudEvent `nl.schakel.referral.overdue.v1`, its id stable so a
 * repeat is recognisably the same), marks the referral overdue (which puts it on the
 * municipality's overdue list and, through the stream, in the audit). The notice goes first: a
 * failure between the two leaves the referral due, and the next run sends the same event again
 * rather than none.
 */
export async function escalateReferrals(
  deps: EscalateReferralsDeps,
  options: { remainingMs: () => number },
): Promise<EscalationRun> {
  const run: EscalationRun = { escalated: 0, skipped: 0, failed: 0, complete: true };
  const now = deps.now();
  const nowIso = utcTimestamp(now);
  for (const municipality of municipalitiesOf(deps.config)) {
    // Page on past what this run handled: an escalated referral leaves the partition, one that
    // failed or was skipped stays, and must not hide the ones after it.
    let after: StoredReferral | undefined;
    for (;;) {
      if (options.remainingMs() < STOP_MARGIN_MS) {
        run.complete = false;
        break;
      }
      const due = await deps.referrals.dueReferrals(municipality, nowIso, DUE_PAGE, after);
      for (const candidate of due) {
        try {
          const outcome = await escalate(deps, candidate.id);
          if (outcome === 'escalated') run.escalated++;
          else run.skipped++;
        } catch (error) {
          run.failed++;
          logEvent(
            LOG_EVENTS.batchItemFailed,
            { operationId: 'escalateReferrals', referralId: candidate.id, errorName: (error as Error).name },
            'error',
          );
        }
      }
      if (due.length < DUE_PAGE) break;
      after = due.at(-1);
    }
  }
  logEvent(LOG_EVENTS.escalationRun, { ...run });
  if (run.failed > 0)
    throw new EscalationIncompleteError(`${run.failed} overdue referrals left for the next run`);
  return run;
}

/** The index is eventually consistent: the referral itself decides, read consistently. */
async function escalate(deps: EscalateReferralsDeps, referralId: string): Promise<'escalated' | 'skipped'> {
  let referral = await deps.referrals.getReferral(referralId);
  // The instant of this escalation, after the read: never before the referral it marks.
  const at = utcTimestamp(deps.now());
  if (!referral || !isDue(referral, at)) return 'skipped';
  await deps.teams.publish(
    referral.teamId,
    referralCloudEvent(deps.deployment, referral, 'nl.schakel.referral.overdue.v1', at),
  );
  // A team's step committed between the read and the mark (it delivered or accepted the referral,
  // still not started): the notice is out, so mark what is stored now rather than leave the
  // referral due and send the notice again next hour.
  for (let attempt = 1; ; attempt++) {
    if ((await deps.referrals.commit([referralWrite(overdue(referral, at))])) === 'committed') break;
    referral = await deps.referrals.getReferral(referralId);
    if (!referral || !isDue(referral, at) || attempt === MARK_ATTEMPTS) return 'skipped';
  }
  logEvent(LOG_EVENTS.referralOverdue, {
    referralId: referral.id,
    teamId: referral.teamId,
    municipality: referral.municipality,
    status: referral.status,
  });
  return 'escalated';
}

const MARK_ATTEMPTS = 3;

function overdue(referral: StoredReferral, at: string): StoredReferral {
  return {
    ...referral,
    overdueAt: at,
    version: referral.version + 1,
    updatedAt: at,
    lastChange: {
      eventType: 'referral.overdue',
      at,
      actor: SYSTEM_ACTOR,
      onBehalfOf: { teamId: referral.teamId },
      details: { status: referral.status, dueAt: referral.dueAt ?? null, urgency: referral.urgency },
    },
  };
}

function isDue(referral: StoredReferral, at: string): boolean {
  return (
    referral.requestType === 'referral' &&
    referral.dueAt !== undefined &&
    referral.dueAt < at &&
    referral.overdueAt === undefined &&
    WAITING_STATUSES.has(referral.status)
  );
}
