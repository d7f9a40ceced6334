import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBRecord } from 'aws-lambda';
import { count, type LocalLog } from '../local-log.js';
import type { LocalFunction } from '../runtime/local-function.js';
import type { StreamMappingSettings } from '../topology/model.js';
import type { ProvisionedQueue } from '../topology/provision.js';
import { abortableSleep, type EventSource } from './event-source.js';
import { processStreamBatch, type StreamBatchResult } from './stream-batch.js';
import { readCheckpoint, writeCheckpoint } from './stream-checkpoint.js';
import { sequenceOf, toDynamoDbRecord } from './stream-records.js';

// Lambda's DynamoDB stream event source mapping, hand-written: no well-kept library plays its
// per-shard order, bisecting on error, retry limit and on-failure destination. The batch rules are
// in stream-batch.ts; this module polls the shards, keeps the checkpoints and sends discarded
// batches' metadata on.

export interface StreamEventSourceOptions {
  dynamodbEndpoint: string;
  region: string;
  streamArn: string;
  settings: StreamMappingSettings;
  target: LocalFunction;
  /** Lambda's on-failure destination: metadata of discarded batches, never their images. */
  onFailure: { sqs: SQSClient; queue: ProvisionedQueue };
  checkpointFile: string;
  log: LocalLog;
  pollIntervalMs?: number;
}

/** Polls every shard of the stream (children after their parents) and feeds the function. */
export function startStreamEventSource(options: StreamEventSourceOptions): EventSource {
  const { region, streamArn, settings, target, log, checkpointFile } = options;
  const client = new DynamoDBStreamsClient({
    region,
    endpoint: options.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const controller = new AbortController();
  const { signal } = controller;
  // Lambda's base rate for a DynamoDB stream: four polls per shard a second.
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const checkpoint = readCheckpoint(checkpointFile, streamArn);
  const iterators = new Map<string, string>();
  let shards: Shard[] = [];
  let shardsListedAt = 0;

  async function listShards(): Promise<void> {
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await client.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      found.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    shards = found;
    shardsListedAt = Date.now();
  }

  async function iteratorFor(shardId: string): Promise<string | undefined> {
    const cached = iterators.get(shardId);
    if (cached) return cached;
    const after = checkpoint.shards[shardId]?.sequenceNumber;
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: ShardIteratorType.AFTER_SEQUENCE_NUMBER, SequenceNumber: after }
          : { ShardIteratorType: ShardIteratorType.TRIM_HORIZON }),
      }),
    );
    if (ShardIterator) iterators.set(shardId, ShardIterator);
    return ShardIterator;
  }

  async function discard(shardId: string, entry: StreamBatchResult['discarded'][number]): Promise<void> {
    const first = entry.records[0];
    const last = entry.records.at(-1);
    const arrival = (r: DynamoDBRecord | undefined) =>
      new Date((r?.dynamodb?.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000).toISOString();
    // The shape of Lambda's on-failure invocation record for DynamoDB streams.
    const body = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: target.arn,
        condition: entry.condition,
        approximateInvokeCount: entry.attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first ? sequenceOf(first) : '',
        endSequenceNumber: last ? sequenceOf(last) : '',
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(last),
        batchSize: entry.records.length,
        streamArn,
      },
    };
    await options.onFailure.sqs.send(
      new SendMessageCommand({ QueueUrl: options.onFailure.queue.url, MessageBody: JSON.stringify(body) }),
    );
    log.error(
      `${target.name}: ${entry.records.length} stream records discarded after ${entry.attempts} attempts; metadata sent to ${options.onFailure.queue.name}`,
    );
  }

  /** Reads and processes one batch of the shard; answers how many records it had. */
  async function pollShard(shard: Shard): Promise<number> {
    const shardId = shard.ShardId as string;
    let iterator: string | undefined;
    try {
      iterator = await iteratorFor(shardId);
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      // Checkpoint older than the stream's 24 h retention: continue from the oldest record kept.
      delete checkpoint.shards[shardId];
      iterator = await iteratorFor(shardId);
    }
    if (!iterator) return 0;
    let response: GetRecordsCommandOutput;
    try {
      response = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1000, settings.batchSize) }),
      );
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        iterators.delete(shardId);
        return 0;
      }
      throw error;
    }
    const records = (response.Records ?? []).map((r) => toDynamoDbRecord(r, streamArn, region));
    if (records.length > 0) {
      const outcome = await processStreamBatch(records, settings, (event) => target.invoke(event), {
        signal,
        // Called before each retry: the failure is said here, as sqs.ts says a failed batch.
        backoff: (attempt) => {
          const of = settings.maxRetryAttempts >= 0 ? ` of ${settings.maxRetryAttempts}` : '';
          log.error(`${target.name} failed on stream records of ${shardId}; retry ${attempt}${of}`);
          return abortableSleep(Math.min(2000, 100 * 2 ** attempt), signal);
        },
      });
      for (const entry of outcome.discarded) await discard(shardId, entry);
      if (signal.aborted && outcome.checkpoint !== sequenceOf(records.at(-1) as DynamoDBRecord)) {
        // Stopped mid-batch: keep what was done; the rest is read again on the next start.
        if (outcome.checkpoint) checkpoint.shards[shardId] = { sequenceNumber: outcome.checkpoint };
        writeCheckpoint(checkpointFile, checkpoint);
        return records.length;
      }
      const failedTotal = outcome.discarded.reduce((n, d) => n + d.records.length, 0);
      if (failedTotal === 0)
        log.info(`state table stream → ${target.name}: ${count(records.length, 'record')}`);
      checkpoint.shards[shardId] = { sequenceNumber: sequenceOf(records.at(-1) as DynamoDBRecord) };
    }
    if (response.NextShardIterator) {
      iterators.set(shardId, response.NextShardIterator);
    } else {
      // A closed shard read to its end: its children take over.
      iterators.delete(shardId);
      checkpoint.shards[shardId] = { ...checkpoint.shards[shardId], finished: true };
      shardsListedAt = 0;
    }
    if (records.length > 0 || !response.NextShardIterator) writeCheckpoint(checkpointFile, checkpoint);
    return records.length;
  }

  async function poll(): Promise<void> {
    while (!signal.aborted) {
      // Lambda polls a shard a few times a second while it is empty, and reads on at once while
      // records keep coming; pausing after a full batch too would hold the audit back in a burst.
      let read = 0;
      try {
        if (Date.now() - shardsListedAt > 10_000) await listShards();
        const known = new Set(shards.map((s) => s.ShardId));
        for (const shard of shards) {
          if (signal.aborted) break;
          const id = shard.ShardId as string;
          if (checkpoint.shards[id]?.finished) continue;
          // Lambda keeps record order across a split: a child shard waits until its parent is read.
          const parent = shard.ParentShardId;
          if (parent && known.has(parent) && !checkpoint.shards[parent]?.finished) continue;
          read += await pollShard(shard);
        }
      } catch (error) {
        if (signal.aborted) break;
        log.error(`${target.name}: reading the state table stream failed`, error);
        iterators.clear();
        shardsListedAt = 0;
      }
      if (read === 0) await abortableSleep(pollIntervalMs, signal);
    }
  }

  const running = poll();
  return {
    async stop() {
      controller.abort();
      await running;
      client.destroy();
    },
  };
}
