/**
 * Where a municipality's audit chain continues after retention removed its oldest calendar years:
 * the last removed entry's sequence and hash. A verifier of what remains starts from it
 * (`verifyChain(entries, { sequence: lastSequence, hash: lastHash })`), and the chain itself
 * records it too, in the `audit-trail.retention-applied` event appended before the removal.
 */
export interface AuditCheckpoint {
  /** Every entry recorded in this calendar year (UTC) or before is removed, or being removed. */
  removedThroughYear: number;
  lastSequence: number;
  lastHash: string;
}

/** Reads a chain's checkpoint: what an export or a verifier of a trimmed chain needs. */
export interface AuditCheckpoints {
  /** Undefined while nothing of the chain has been removed. */
  readCheckpoint(municipality: string): Promise<AuditCheckpoint | undefined>;
}

/** The oldest calendar year still in a chain: one unbroken run of sequence numbers. */
export interface ChainYear {
  year: number;
  firstSequence: number;
  lastSequence: number;
  /** The hash of the year's last entry: where the rest of the chain continues. */
  lastHash: string;
  count: number;
}

/** Removal of whole calendar years from the audit chains (apply-retention). */
export interface AuditRetention extends AuditCheckpoints {
  /** The municipalities that have a chain. */
  listChains(): Promise<string[]>;
  /**
   * The oldest calendar year with entries in the chain, by `recordedAt` (which never goes back
   * along a chain); undefined when the chain holds no entries.
   */
  oldestYear(municipality: string): Promise<ChainYear | undefined>;
  /** Stores the checkpoint; it only moves forward, so a late or repeated write changes nothing. */
  writeCheckpoint(municipality: string, checkpoint: AuditCheckpoint): Promise<void>;
  /**
   * Deletes the chain's entries up to and including `lastSequence`, with their exactly-once
   * markers; never the head. Stops early when `shouldStop()` says so; the rest stays for a
   * later call (the checkpoint already names it).
   */
  removeThrough(
    municipality: string,
    lastSequence: number,
    shouldStop: () => boolean,
  ): Promise<{ removed: number; complete: boolean }>;
}
