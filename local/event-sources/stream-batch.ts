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

/** How many leading records are older than `maxAgeSeconds` (-1: no limit) by their arrival time. */
function expiredPrefix(records: readonly DynamoDBRecord[], maxAgeSeconds: number, now: number): number {
  if (maxAgeSeconds < 0) return 0;
  const oldest = now / 1000 - maxAgeSeconds;
  const index = records.findIndex((r) => (r.dynamodb?.ApproximateCreationDateTime ?? now / 1000) >= oldest);
  return index === -1 ? records.length : index;
}

export interface StreamBatchResult {
  /** Last sequence number that needs no further processing (processed or sent to the on-failure destination). */
  checkpoint: string | undefined;
  discarded: { records: DynamoDBRecord[]; attempts: number; condition: string }[];
}

/**
 * Processes one batch with Lambda's stream semantics: a partial response checkpoints before the
 * lowest failed sequence number and retries from there; a function error bisects the batch (which
 * costs no retry attempt) until single records are retried; after `maxRetryAttempts`, or once
 * records are older than `maxRecordAgeSeconds`, they are discarded to the on-failure destination
 * and the shard moves on.
 */
export async function processStreamBatch(
  records: readonly DynamoDBRecord[],
  settings: StreamMappingSettings,
  invoke: (event: DynamoDBStreamEvent) => Promise<unknown>,
  options: { signal?: AbortSignal; backoff?: (attempt: number) => Promise<void>; now?: () => number } = {},
): Promise<StreamBatchResult> {
  const result: StreamBatchResult = { checkpoint: undefined, discarded: [] };
  const pending: { records: DynamoDBRecord[]; attempts: number }[] = [{ records: [...records], attempts: 0 }];
  while (pending.length > 0) {
    if (options.signal?.aborted) break;
    const batch = pending.shift() as { records: DynamoDBRecord[]; attempts: number };
    // Records older than the maximum age go to the on-failure destination unprocessed, oldest first.
    const expired = expiredPrefix(batch.records, settings.maxRecordAgeSeconds, (options.now ?? Date.now)());
    if (expired > 0) {
      result.discarded.push({
        records: batch.records.slice(0, expired),
        attempts: batch.attempts,
        condition: 'RecordAgeExceeded',
      });
      result.checkpoint = sequenceOf(batch.records[expired - 1] as DynamoDBRecord);
      if (expired === batch.records.length) continue;
      batch.records = batch.records.slice(expired);
    }
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
