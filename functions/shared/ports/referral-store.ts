import type { ReferralStatus } from '../../../domain/referral-state.js';
import type { StoredReferral, StoredSignal } from '../model.js';
import type { StateWrites } from './state-writes.js';

export interface ReferralPage {
  items: StoredReferral[];
  next?: string;
}

/** Referrals as a team sees and changes them. */
export interface ReferralStore extends StateWrites {
  getReferral(id: string): Promise<StoredReferral | undefined>;
  getSignal(id: string): Promise<StoredSignal | undefined>;
  /** Newest first; a cursor of another query raises InvalidCursorError. */
  listTeamReferrals(
    teamId: string,
    options: { limit: number; cursor?: string | undefined; status?: ReferralStatus | undefined },
  ): Promise<ReferralPage>;
}
