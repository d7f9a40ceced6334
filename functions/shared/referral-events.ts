import type { ReferralCloudEvent, ReferralCloudEventType } from '../../schemas/cloud-event.js';
import { LOG_EVENTS } from './log-events.js';
import { logEvent } from './logger.js';
import type { StoredReferral } from './model.js';
import type { TeamQueue } from './ports/queues.js';
import { referralPath } from './resource-paths.js';

/**
 * The CloudEvent a team receives. The id is stable per referral and event type, so a message
 * delivered twice (SQS is at-least-once) is recognisably the same event.
 */
export function referralCloudEvent(
  deployment: string,
  referral: StoredReferral,
  type: ReferralCloudEventType,
  time: string,
): ReferralCloudEvent {
  const kind = type.split('.')[3] ?? 'event';
  return {
    specversion: '1.0',
    id: `${referral.id}:${kind}`,
    source: `urn:schakel:${deployment}`,
    type,
    subject: referral.id,
    time,
    datacontenttype: 'application/json',
    data: {
      referralId: referral.id,
      signalId: referral.signalId,
      teamId: referral.teamId,
      municipality: referral.municipality,
      requestType: referral.requestType,
      urgency: referral.urgency,
      concerns: referral.concerns,
      href: referralPath(referral.id),
    },
  };
}

/**
 * Tells each referral's team, in order, with the event of `type` (its time: `timeOf` the referral).
 * A failure stops at that referral and is thrown: the caller retries them all, and a team that
 * gets one twice recognises it by its id.
 */
export async function notifyTeams(
  queue: TeamQueue,
  deployment: string,
  referrals: readonly StoredReferral[],
  type: ReferralCloudEventType,
  timeOf: (referral: StoredReferral) => string,
): Promise<void> {
  for (const referral of referrals) {
    const event = referralCloudEvent(deployment, referral, type, timeOf(referral));
    await queue.publish(referral.teamId, event);
    logEvent(LOG_EVENTS.teamNotified, { referralId: referral.id, teamId: referral.teamId, type: event.type });
  }
}
