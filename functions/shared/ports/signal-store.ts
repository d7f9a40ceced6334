import type { ChangeRecord, StoredReferral, StoredSignal } from '../model.js';

export type CreateSignalOutcome =
  | { outcome: 'created' }
  | { outcome: 'exists'; signalId: string; contentHash: string };

export type RouteOutcome = { outcome: 'routed' } | { outcome: 'signal-not-received' };

export type WithdrawOutcome =
  | { outcome: 'withdrawn'; referrals: StoredReferral[] }
  | { outcome: 'changed-meanwhile' };

/** Signals and the referrals made from them, as the school side and the router see them. */
export interface SignalStore {
  /** Stores a new signal unless the (client, sourceId) pair is known; atomic. */
  createSignal(signal: StoredSignal): Promise<CreateSignalOutcome>;
  /** The signal a client already sent under `sourceId`, if any (id and content hash). */
  findSource(
    clientId: string,
    sourceId: string,
  ): Promise<{ signalId: string; contentHash: string } | undefined>;
  getSignal(id: string): Promise<StoredSignal | undefined>;
  getReferrals(ids: readonly string[]): Promise<StoredReferral[]>;
  /** Creates the referral and marks the signal routed, only while the signal is still `received`. */
  routeSignal(signal: StoredSignal, referral: StoredReferral): Promise<RouteOutcome>;
  /** Marks a `received` signal unroutable; false when it was no longer `received`. */
  markUnroutable(signal: StoredSignal, change: ChangeRecord): Promise<boolean>;
  /**
   * Withdraws the signal and its open referrals in one transaction, guarded by the versions
   * read, so a concurrent team event makes it `changed-meanwhile` instead of overwriting.
   */
  withdrawSignal(
    signal: StoredSignal,
    openReferrals: readonly StoredReferral[],
    change: ChangeRecord,
    reason: string | undefined,
  ): Promise<WithdrawOutcome>;
}
