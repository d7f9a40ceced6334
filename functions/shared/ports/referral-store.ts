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
  /** In the order of `ids`; an id without a referral is left out. */
  getReferrals(ids: readonly string[]): Promise<StoredReferral[]>;
  /**
   * Newest first; `overdue`: only those escalated and still waiting to start. A cursor of another
   * query raises InvalidCursorError.
   */
  listTeamReferrals(
    teamId: string,
    options: {
      limit: number;
      cursor?: string | undefined;
      status?: ReferralStatus | undefined;
      overdue?: boolean | undefined;
    },
  ): Promise<ReferralPage>;
}
