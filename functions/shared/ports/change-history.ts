import type { StateChange } from '../../write-audit/derive-audit-event.js';

/** A stretch of one shard of the state table's stream, both ends included. */
export interface StreamRange {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

export type StreamRead =
  | { kind: 'records'; changes: { key: string; change: StateChange }[] }
  /** The start of the range is past the stream's retention; these are the records still there. */
  | { kind: 'partial'; changes: { key: string; change: StateChange }[] }
  /** The stream no longer holds the range (older than its 24 hours, or the shard is gone). */
  | { kind: 'trimmed' };

/** Re-reads changes from the state table's stream. */
export interface ChangeStream {
  read(range: StreamRange): Promise<StreamRead>;
}

/** The current versions of what changed in a period, read from the state table itself. */
export interface ChangedItems {
  changedBetween(from: string, to: string): Promise<StateChange[]>;
}
