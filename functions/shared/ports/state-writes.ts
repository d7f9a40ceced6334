import type { StoredReferral, StoredSignal } from '../model.js';

/**
 * A new version of a signal or referral, decided by a use case. Version 1 creates the record;
 * version n replaces version n − 1 and nothing else, so two writers that read the same version
 * cannot both win (optimistic concurrency), and every change of a record has its own version
 * number for the audit trail.
 */
export type StateWrite =
  | { entity: 'signal'; record: StoredSignal }
  | { entity: 'referral'; record: StoredReferral };

export type CommitOutcome = 'committed' | 'conflict';

export interface StateWrites {
  /**
   * Writes all of `writes` or none of them. `conflict` when any record is not at the version
   * before its write (another writer came first); nothing is written then.
   */
  commit(writes: readonly StateWrite[]): Promise<CommitOutcome>;
}
