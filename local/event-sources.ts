import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type AttributeValue as SdkAttributeValue,
  type _Record as SdkStreamRecord,
  type Shard,
  ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import type { LocalFunction } from './lambda-runtime.js';
import type { LocalLog } from './local-log.js';
import type { ProvisionedQueue, QueueMappingSettings, StreamMappingSettings } from './topology.js';

// Lambda's event source mappings, played locally: an SQS poller for the intake queue and a
// DynamoDB stream poller for the state table. Both keep Lambda's delivery contract — at least
// once, partial batch responses (ReportBatchItemFailures), retries, bisecting, an on-failure
// destination — so handlers are exercised locally the way AWS will exercise them.
// Invocations of one mapping are sequential (one poller, one shard at a time).

export interface EventSource {
  stop(): Promise<void>;
}

const BatchResponseSchema = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.unknown() })).nullish(),
});

export type BatchOutcome =
  | { kind: 'success' }
  | { kind: 'partial'; failedIds: string[] }
  | { kind: 'failed'; reason: 'function-error' | 'invalid-response' };

/**
 * Reads a handler's answer the way Lambda does: null, an empty object or an empty list mean the
 * whole batch succeeded; an item identifier that is empty or not in the batch fails the whole batch.
 */
export function interpretBatchResponse(
  response: unknown,
  batchIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchOutcome {
  if (!reportBatchItemFailures || response === null || response === undefined) return { kind: 'success' };
  const parsed = BatchResponseSchema.safeParse(response);
  if (!parsed.success) return { kind: 'success' };
  const failures = parsed.data.batchItemFailures ?? [];
  if (failures.length === 0) return { kind: 'success' };
  const known = new Set(batchIds);
  const failedIds: string[] = [];
  for (const failure of failures) {
    const id = failure.itemIdentifier;
    if (typeof id !== 'string' || !known.has(id)) return { kind: 'failed', reason: 'invalid-response' };
    failedIds.push(id);
  }
  return { kind: 'partial', failedIds };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// SQS

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queue: ProvisionedQueue;
  region: string;
  settings: QueueMappingSettings;
  target: LocalFunction;
  log: LocalLog;
}

function toSqsRecord(message: Message, queue: ProvisionedQueue, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? LOCAL_SENDER,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.AWSTraceHeader ? { AWSTraceHeader: attributes.AWSTraceHeader } : {}),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId
        ? { MessageDeduplicationId: attributes.MessageDeduplicationId }
        : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: region,
  };
}

const LOCAL_SENDER = 'AIDAIENQZJOLO23YVJ4VO';

/** Long-polls the queue and invokes the function per batch, deleting only what succeeded. */
export function startSqsEventSource(options: SqsEventSourceOptions): EventSource {
  const { sqs, queue, region, settings, target, log } = options;
  const controller = new AbortController();
  const { signal } = controller;
  const batchSize = Math.max(1, settings.batchSize);

  async function receiveBatch(): Promise<Message[]> {
    const messages: Message[] = [];
    const windowEnds = Date.now() + settings.maxBatchingWindowSeconds * 1000;
    do {
      const waitSeconds =
        messages.length === 0 ? 20 : Math.max(0, Math.ceil((windowEnds - Date.now()) / 1000));
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: Math.min(10, batchSize - messages.length),
          WaitTimeSeconds: Math.min(20, waitSeconds),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      if (!Messages?.length && messages.length > 0) break;
      messages.push(...(Messages ?? []));
    } while (messages.length > 0 && messages.length < batchSize && Date.now() < windowEnds);
    return messages;
  }

  async function deleteMessages(records: SQSRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      const { Failed } = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (Failed?.length)
        log.error(`${target.name}: ${Failed.length} processed messages could not be deleted`);
    }
  }

  async function poll(): Promise<void> {
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await receiveBatch();
      } catch (error) {
        if (signal.aborted) return;
        log.error(`${target.name}: receiving from ${queue.name} failed`, error);
        await abortableSleep(1000, signal);
        continue;
      }
      if (messages.length === 0) continue;
      log.info(`${queue.name} → ${target.name}: ${count(messages.length, 'message')}`);
      const records = messages.map((m) => toSqsRecord(m, queue, region));
      const event: SQSEvent = { Records: records };
      let outcome: BatchOutcome;
      try {
        const response = await target.invoke(event);
        outcome = interpretBatchResponse(
          response,
          records.map((r) => r.messageId),
          settings.reportBatchItemFailures,
        );
      } catch (error) {
        log.error(
          `${target.name} failed on a batch of ${records.length}; it returns after the visibility timeout`,
          error,
        );
        outcome = { kind: 'failed', reason: 'function-error' };
      }
      if (outcome.kind === 'failed') {
        if (outcome.reason === 'invalid-response') {
          log.error(`${target.name} named unknown batch items; the whole batch counts as failed`);
        }
        continue;
      }
      const failed = new Set(outcome.kind === 'partial' ? outcome.failedIds : []);
      if (failed.size > 0)
        log.info(`${target.name}: ${failed.size} of ${records.length} messages left for retry`);
      try {
        await deleteMessages(records.filter((r) => !failed.has(r.messageId)));
      } catch (error) {
        if (signal.aborted) return;
        log.error(`${target.name}: deleting processed messages failed`, error);
      }
    }
  }

  const running = poll();
  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// DynamoDB stream

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

const CheckpointSchema = z.object({
  streamArn: z.string(),
  shards: z.record(
    z.string(),
    z.object({ sequenceNumber: z.string().optional(), finished: z.boolean().optional() }),
  ),
});
type Checkpoint = z.infer<typeof CheckpointSchema>;

function readCheckpoint(file: string, streamArn: string): Checkpoint {
  try {
    const parsed = CheckpointSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    // A new stream (the table was recreated) starts from its beginning.
    if (parsed.streamArn === streamArn) return parsed;
  } catch {
    // Missing or unreadable: start from the trim horizon. Replays are harmless, the audit writer is idempotent.
  }
  return { streamArn, shards: {} };
}

function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(temporary, file);
}

/** The SDK decodes binary attributes to bytes; Lambda's event carries them as base64, like the wire format. */
export function toLambdaAttributeValue(value: SdkAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  // DynamoDB Local's stream writes an empty map as `{}` instead of `{"M":{}}` (seen with 3.3.1);
  // an attribute value without a type has no other reading.
  if (Object.keys(value).length === 0) return { M: {} };
  throw new Error('unknown DynamoDB attribute type');
}

function toLambdaImage(image: Record<string, SdkAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toLambdaAttributeValue(v)]));
}

export function toDynamoDbRecord(record: SdkStreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  return {
    eventID: record.eventID ?? randomUUID(),
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      ...(data.Keys ? { Keys: toLambdaImage(data.Keys) } : {}),
      ...(data.NewImage ? { NewImage: toLambdaImage(data.NewImage) } : {}),
      ...(data.OldImage ? { OldImage: toLambdaImage(data.OldImage) } : {}),
      SequenceNumber: data.SequenceNumber,
      SizeBytes: data.SizeBytes,
      StreamViewType: data.StreamViewType,
    },
  };
}

const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? '';

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
  const pollIntervalMs = options.pollIntervalMs ?? 500;
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

  async function pollShard(shard: Shard): Promise<void> {
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
    if (!iterator) return;
    let response: GetRecordsCommandOutput;
    try {
      response = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1000, settings.batchSize) }),
      );
    } catch (error) {
      if (error instanceof ExpiredIteratorException) {
        iterators.delete(shardId);
        return;
      }
      throw error;
    }
    const records = (response.Records ?? []).map((r) => toDynamoDbRecord(r, streamArn, region));
    if (records.length > 0) {
      const outcome = await processStreamBatch(records, settings, (event) => target.invoke(event), {
        signal,
        backoff: (attempt) => abortableSleep(Math.min(2000, 100 * 2 ** attempt), signal),
      });
      for (const entry of outcome.discarded) await discard(shardId, entry);
      if (signal.aborted && outcome.checkpoint !== sequenceOf(records.at(-1) as DynamoDBRecord)) {
        // Stopped mid-batch: keep what was done; the rest is read again on the next start.
        if (outcome.checkpoint) checkpoint.shards[shardId] = { sequenceNumber: outcome.checkpoint };
        writeCheckpoint(checkpointFile, checkpoint);
        return;
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
  }

  async function poll(): Promise<void> {
    while (!signal.aborted) {
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
          await pollShard(shard);
        }
      } catch (error) {
        if (signal.aborted) break;
        log.error(`${target.name}: reading the state table stream failed`, error);
        iterators.clear();
        shardsListedAt = 0;
      }
      await abortableSleep(pollIntervalMs, signal);
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
