import type * as z from 'zod/mini';
import type { ReferralListItemSchema } from '../../schemas/views.js';
import type { StoredReferral } from './model.js';

export type ReferralListItem = z.infer<typeof ReferralListItemSchema>;

/** A referral as lists show it (a team's, a municipality's overdue list, an assignment): no pupil data. */
export function toListItem(referral: StoredReferral): ReferralListItem {
  return {
    id: referral.id,
    signalId: referral.signalId,
    teamId: referral.teamId,
    municipality: referral.municipality,
    status: referral.status,
    requestType: referral.requestType,
    urgency: referral.urgency,
    createdAt: referral.createdAt,
    updatedAt: referral.updatedAt,
    ...(referral.dueAt ? { dueAt: referral.dueAt } : {}),
    ...(referral.overdueAt ? { overdueAt: referral.overdueAt } : {}),
  };
}
