import type { ReferralStatus } from '../../../domain/referral-state.js';
import type { ChangeRecord, StoredReferral, StoredSignal } from '../model.js';

export interface ReferralPage {
  items: StoredReferral[];
  next?: string;
}

/** Referrals as a team sees and changes them. */
export interface ReferralStore {
  getReferral(id: string): Promise<StoredReferral | undefined>;
  getSignal(id: string): Promise<StoredSignal | undefined>;
  listTeamReferrals(
    teamId: string,
    options: { limit: number; cursor?: string | undefined; status?: ReferralStatus | undefined },
  ): Promise<ReferralPage>;
  /** Applies a status change only if the referral still has the version read; false otherwise. */
  updateStatus(
    referral: StoredReferral,
    to: ReferralStatus,
    change: ChangeRecord,
    reason: string | undefined,
  ): Promise<StoredReferral | undefined>;
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}
