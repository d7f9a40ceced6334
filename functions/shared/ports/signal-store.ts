import type { StoredReferral, StoredSignal } from '../model.js';
import type { StateWrites } from './state-writes.js';

export type CreateSignalOutcome =
  | { outcome: 'created' }
  | { outcome: 'exists'; signalId: string; contentHash: string };

/** Signals and the referrals made from them, as the school side and the router see them. */
export interface SignalStore extends StateWrites {
  /** Stores a new signal unless the (client, sourceId) pair is known; atomic. */
  createSignal(signal: StoredSignal): Promise<CreateSignalOutcome>;
  /** The signal a client already sent under `sourceId`, if any (id and content hash). */
  findSource(
    clientId: string,
    sourceId: string,
  ): Promise<{ signalId: string; contentHash: string } | undefined>;
  getSignal(id: string): Promise<StoredSignal | undefined>;
  getReferrals(ids: readonly string[]): Promise<StoredReferral[]>;
  /**
   * The signal with its referrals (in the signal's order), read together with the referrals
   * named in `expected` — referral ids are derived, so a caller often knows them: one request
   * then. A referral of the signal not expected is read after.
   */
  getSignalWithReferrals(
    id: string,
    expected: readonly string[],
  ): Promise<{ signal: StoredSignal; referrals: StoredReferral[] } | undefined>;
}
