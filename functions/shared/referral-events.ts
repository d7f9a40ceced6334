import type { ReferralCloudEvent, ReferralCloudEventType } from '../../schemas/cloud-event.js';
import type { StoredReferral } from './model.js';
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
