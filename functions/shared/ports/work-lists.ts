import type { SignalStatus } from '../../../domain/vocabulary.js';
import type { StoredReferral, StoredSignal } from '../model.js';
import type { ReferralPage } from './referral-store.js';

/** Where a signal search reads: one school location's signals, or one municipality's. */
export type SignalScope =
  | { kind: 'school'; schoolLocation: string }
  | { kind: 'municipality'; municipality: string };

export interface SignalQuery {
  scope: SignalScope;
  /** Received at or after this instant (UTC ISO). */
  from?: string | undefined;
  /** Received before this instant (UTC ISO). */
  to?: string | undefined;
  status?: SignalStatus | undefined;
  /** Within a municipality's search: one school location. */
  schoolLocation?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface SignalPage {
  items: StoredSignal[];
  next?: string;
}

/** Signals as schools and municipalities find them: newest first, never by pupil data. */
export interface SignalSearch {
  searchSignals(query: SignalQuery): Promise<SignalPage>;
}

/** The work lists of the "every signal finds help" flow, kept as sparse index partitions. */
export interface ReferralWork {
  /**
   * Referrals of the municipality waiting to start whose goal passed before `before`, not yet
   * escalated, oldest goal first; after `after` (the last of the previous page) when given.
   */
  dueReferrals(
    municipality: string,
    before: string,
    limit: number,
    after?: StoredReferral,
  ): Promise<StoredReferral[]>;
  /** Escalated referrals of the municipality still waiting to start, most overdue first. */
  overdueReferrals(
    municipality: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<ReferralPage>;
  /** Referrals of a team made in [from, to) (UTC ISO) for the municipality's pupils, requests for help only. */
  referralsMade(teamId: string, municipality: string, from: string, to: string): Promise<StoredReferral[]>;
}
