import type { SignalSubmission } from '../../schemas/signal.js';
import type { ReferralView } from '../../schemas/views.js';
import type { StoredReferral, StoredSignal } from '../shared/model.js';
import { toListItem } from '../shared/referral-list-item.js';

/** The referral without pupil data: what a status change answers with. */
export function toReferralState(referral: StoredReferral) {
  return { ...toListItem(referral), history: referral.history };
}

/** The referral with the signal's submission, opened from the vault for this one read. */
export function toReferralView(
  referral: StoredReferral,
  signal: StoredSignal,
  submission: SignalSubmission,
): ReferralView {
  return {
    id: referral.id,
    signalId: referral.signalId,
    teamId: referral.teamId,
    municipality: referral.municipality,
    status: referral.status,
    createdAt: referral.createdAt,
    updatedAt: referral.updatedAt,
    history: referral.history,
    ...(referral.followsConsultation ? { followsConsultation: referral.followsConsultation } : {}),
    signal: {
      requestType: submission.requestType,
      schoolLocation: submission.schoolLocation,
      receivedAt: signal.receivedAt,
      urgency: submission.urgency,
      concerns: submission.concerns,
      summary: submission.summary,
      pupil: submission.pupil,
      ...(submission.requestType === 'referral' ? { consent: submission.consent } : {}),
      contact: submission.contact,
    },
  };
}

export { toListItem };
