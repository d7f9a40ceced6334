import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamMappingSettings } from '../topology/model.js';
import { type BatchOutcome, interpretBatchResponse } from './batch-response.js';
import { sequenceOf } from './stream-records.js';

// Lambda's retry rules for one batch of a stream shard, without the polling around them.

/** Sequence numbers are decimal strings of varying length; compare them as numbers. */
function compareSequence(a: string, b: string): number {
  const x = BigInt(a || '0');
  const y = BigInt(b || '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface StreamBatchResult {
  /** Last sequence number that needs no further processing (processed or sent to the on-failure destination). */
  checkpoint: string | undefined;
  discarded: { records: DynamoDBRecord[]; attempts: number; condition: string }[];
}

/**
 * Processes one batch with Lambda's stream semantics: a partial response checkpoints before the
 * lowest failed sequence number and retries from there; a function error bisects the batch (which
 * costs no retry attempt) until single records are retried; after `maxRetryAttempts` the remaining
 * records are discarded to the on-failure destination and the shard moves on.
 */
export async function processStreamBatch(
  records: readonly DynamoDBRecord[],
  settings: StreamMappingSettings,
  invoke: (event: DynamoDBStreamEvent) => Promise<unknown>,
  options: { signal?: AbortSignal; backoff?: (attempt: number) => Promise<void> } = {},
): Promise<StreamBatchResult> {
  const result: StreamBatchResult = { checkpoint: undefined, discarded: [] };
  const pending: { records: DynamoDBRecord[]; attempts: number }[] = [{ records: [...records], attempts: 0 }];
  while (pending.length > 0) {
    if (options.signal?.aborted) break;
    const batch = pending.shift() as { records: DynamoDBRecord[]; attempts: number };
    let outcome: BatchOutcome;
    try {
      const response = await invoke({ Records: batch.records });
      outcome = interpretBatchResponse(
        response,
        batch.records.map(sequenceOf),
        settings.reportBatchItemFailures,
      );
    } catch {
      outcome = { kind: 'failed', reason: 'function-error' };
    }
    if (outcome.kind === 'success') {
      result.checkpoint = sequenceOf(batch.records.at(-1) as DynamoDBRecord);
      continue;
    }
    let remaining = batch.records;
    if (outcome.kind === 'partial') {
      const first = outcome.failedIds.reduce((a, b) => (compareSequence(a, b) <= 0 ? a : b));
      const index = batch.records.findIndex((r) => sequenceOf(r) === first);
      if (index > 0) result.checkpoint = sequenceOf(batch.records[index - 1] as DynamoDBRecord);
      remaining = batch.records.slice(index);
    } else if (outcome.reason === 'function-error' && settings.bisectOnError && remaining.length > 1) {
      const half = Math.ceil(remaining.length / 2);
      pending.unshift(
        { records: remaining.slice(0, half), attempts: batch.attempts },
        { records: remaining.slice(half), attempts: batch.attempts },
      );
      continue;
    }
    const attempts = batch.attempts + 1;
    if (settings.maxRetryAttempts >= 0 && attempts > settings.maxRetryAttempts) {
      result.discarded.push({ records: remaining, attempts, condition: 'RetryAttemptsExhausted' });
      result.checkpoint = sequenceOf(remaining.at(-1) as DynamoDBRecord);
      // Bisected halves behind this one belong to later sequence numbers; they still get their turn.
      continue;
    }
    await options.backoff?.(attempts);
    pending.unshift({ records: remaining, attempts });
  }
  return result;
}
