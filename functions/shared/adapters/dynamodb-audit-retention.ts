import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { startOfYear } from '../../../domain/retention.js';
import { settleBounded } from '../concurrency.js';
import type { AuditCheckpoint, AuditRetention, ChainYear } from '../ports/audit-retention.js';

// The audit table's layout (state-table.ts, AUDIT_TABLE): a chain's head, entries and checkpoint
// share the partition `CHAIN#<code>`; each entry has an exactly-once marker `EVENT#<id>`.
const chainPartition = (municipality: string) => `CHAIN#${municipality}`;
const sequenceKey = (sequence: number) => `SEQ#${String(sequence).padStart(12, '0')}`;
const CHECKPOINT = 'CHECKPOINT';
const HEAD = 'HEAD';

/** DynamoDB's limit per BatchWriteItem. */
const WRITES_PER_BATCH = 25;
/** Entries read per page of a removal: 50 entries and their markers are four batches. */
const ENTRIES_PER_PAGE = 50;
/** Batches of one page in flight at once: a year of a large municipality is thousands of them. */
const BATCHES_AT_ONCE = 4;
const SCAN_SEGMENTS = 4;
const MAX_BATCH_ATTEMPTS = 10;
const MAX_BACKOFF_MS = 2_000;

/**
 * Checkpoints and removals of whole calendar years of the audit chains. Only entries
 * (`SEQ#…`) and their markers are ever deleted; the head stays, so the chain goes on from it.
 */
export class DynamoDbAuditRetention implements AuditRetention {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readCheckpoint(municipality: string): Promise<AuditCheckpoint | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: chainPartition(municipality), sk: CHECKPOINT },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return {
      removedThroughYear: Number(Item.removedThroughYear),
      lastSequence: Number(Item.lastSequence),
      lastHash: String(Item.lastHash),
    };
  }

  /**
   * A scan for the heads (a parallel scan, only their keys returned). It reads the whole table,
   * once a day; a table too large for that would keep a list of chains instead.
   */
  async listChains(): Promise<string[]> {
    const found = await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
        const codes: string[] = [];
        const pages = paginateScan(
          { client: this.documents },
          {
            TableName: this.tableName,
            Segment: segment,
            TotalSegments: SCAN_SEGMENTS,
            FilterExpression: 'sk = :head AND begins_with(pk, :chain)',
            ExpressionAttributeValues: { ':head': HEAD, ':chain': 'CHAIN#' },
            ProjectionExpression: 'pk',
          },
        );
        for await (const page of pages) {
          for (const item of page.Items ?? []) codes.push(String(item.pk).slice('CHAIN#'.length));
        }
        return codes;
      }),
    );
    return found.flat().sort();
  }

  async oldestYear(municipality: string): Promise<ChainYear | undefined> {
    let year: ChainYear | undefined;
    let end = '';
    const pages = paginateQuery(
      { client: this.documents, pageSize: 500 },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
        ExpressionAttributeValues: { ':pk': chainPartition(municipality), ':seq': 'SEQ#' },
        ExpressionAttributeNames: { '#e': 'entry', '#r': 'recordedAt', '#h': 'hash', '#s': 'sequence' },
        ProjectionExpression: '#e.#r, #e.#h, #e.#s',
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const entry = item.entry as { recordedAt: string; hash: string; sequence: number };
        if (!year) {
          const first = new Date(entry.recordedAt).getUTCFullYear();
          year = {
            year: first,
            firstSequence: entry.sequence,
            lastSequence: entry.sequence,
            lastHash: entry.hash,
            count: 0,
          };
          end = startOfYear(first + 1);
        }
        // recordedAt never goes back along a chain: the first entry of a later year ends the run.
        if (Date.parse(entry.recordedAt) >= Date.parse(end)) return year;
        year.lastSequence = entry.sequence;
        year.lastHash = entry.hash;
        year.count += 1;
      }
    }
    return year;
  }

  async writeCheckpoint(municipality: string, checkpoint: AuditCheckpoint): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: chainPartition(municipality), sk: CHECKPOINT, ...checkpoint },
          ConditionExpression: 'attribute_not_exists(pk) OR lastSequence <= :seq',
          ExpressionAttributeValues: { ':seq': checkpoint.lastSequence },
        }),
      );
    } catch (error) {
      // A checkpoint further along is already there: this one is behind and changes nothing.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  async removeThrough(
    municipality: string,
    lastSequence: number,
    shouldStop: () => boolean,
  ): Promise<{ removed: number; complete: boolean }> {
    const partition = chainPartition(municipality);
    let removed = 0;
    const pages = paginateQuery(
      { client: this.documents, pageSize: ENTRIES_PER_PAGE },
      {
        TableName: this.tableName,
        // `SEQ#` sorts before every `SEQ#<12 digits>`: from the chain's first entry to lastSequence.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': partition, ':from': 'SEQ#', ':to': sequenceKey(lastSequence) },
        ExpressionAttributeNames: { '#sk': 'sk', '#e': 'entry', '#id': 'id' },
        ProjectionExpression: '#sk, #e.#id',
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      const items = page.Items ?? [];
      const keys = items.flatMap((item) => {
        const sk = String(item.sk);
        if (!sk.startsWith('SEQ#')) throw new Error(`refusing to remove ${partition}/${sk}`);
        const id = (item.entry as { id?: unknown } | undefined)?.id;
        return [
          { pk: partition, sk },
          ...(typeof id === 'string' ? [{ pk: `EVENT#${id}`, sk: 'EVENT' }] : []),
        ];
      });
      const batches = Array.from({ length: Math.ceil(keys.length / WRITES_PER_BATCH) }, (_, i) =>
        keys.slice(i * WRITES_PER_BATCH, (i + 1) * WRITES_PER_BATCH),
      );
      const results = await settleBounded(batches, BATCHES_AT_ONCE, (batch) => this.deleteAll(batch));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      removed += items.length;
      if (shouldStop()) return { removed, complete: false };
    }
    return { removed, complete: true };
  }

  /** One BatchWriteItem of deletes; what DynamoDB leaves unprocessed is sent again after a backoff. */
  private async deleteAll(keys: readonly Record<string, string>[]): Promise<void> {
    let pending = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error('BatchWriteItem kept returning unprocessed items');
      if (attempt > 0) {
        // Capped exponential backoff with full jitter (AWS Architecture Blog), as the SDK advises
        // for UnprocessedItems.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(MAX_BACKOFF_MS, 50 * 2 ** attempt)));
      }
      const result = await this.documents.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
    }
  }
}
