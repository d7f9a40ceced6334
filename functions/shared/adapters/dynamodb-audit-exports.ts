import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import type { AuditChainReader, ExportJob, ExportJobPage, ExportJobStore } from '../ports/audit-exports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { chainPartition, sequenceKey } from './dynamodb-audit-log.js';
import { EXPORT_JOB_PARTITION_PREFIXES } from './state-table.js';
import { putNew } from './transactions.js';

// Export jobs live in the audit table beside the chains: the job under its id (`EXPORT#<id>`), and
// a pointer per job in its client's partition (`EXPORTS#<clientId>`, `EXPORT#<id>`) written once
// with it, so a client lists its own jobs. The ids are time-ordered (UUID v7): a client's
// partition reads newest first.

const [JOB_PREFIX, CLIENT_PREFIX] = EXPORT_JOB_PARTITION_PREFIXES;
const jobKey = (id: string) => ({ pk: `${JOB_PREFIX}${id}`, sk: 'JOB' });
const clientPartition = (clientId: string) => `${CLIENT_PREFIX}${clientId}`;
const BATCH_GET_LIMIT = 100;

export class DynamoDbExportJobs implements ExportJobStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(job: ExportJob): Promise<void> {
    await this.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          putNew(this.tableName, { ...jobKey(job.id), revision: job.revision, job }),
          putNew(this.tableName, { pk: clientPartition(job.clientId), sk: `EXPORT#${job.id}`, id: job.id }),
        ],
      }),
    );
  }

  async get(id: string): Promise<ExportJob | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: jobKey(id), ConsistentRead: true }),
    );
    return Item?.job as ExportJob | undefined;
  }

  async list(clientId: string, page: { limit: number; cursor?: string | undefined }): Promise<ExportJobPage> {
    const pk = clientPartition(clientId);
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :export)',
        ExpressionAttributeValues: { ':pk': pk, ':export': 'EXPORT#' },
        ScanIndexForward: false,
        Limit: Math.min(page.limit, BATCH_GET_LIMIT),
        ExclusiveStartKey: decodeCursor(page.cursor, { pk }, ['pk', 'sk'], { sk: 'EXPORT#' }),
      }),
    );
    const ids = (result.Items ?? []).map((item) => String(item.id));
    const jobs = await this.getMany(ids);
    const next = encodeCursor(result.LastEvaluatedKey);
    return {
      items: ids.flatMap((id) => {
        const job = jobs.get(id);
        return job ? [job] : [];
      }),
      ...(next ? { next } : {}),
    };
  }

  /** Jobs by id in one BatchGetItem, retrying what DynamoDB leaves unprocessed. */
  private async getMany(ids: readonly string[]): Promise<Map<string, ExportJob>> {
    const found = new Map<string, ExportJob>();
    let keys: Record<string, unknown>[] = ids.map(jobKey);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      if (attempt > 8) throw new Error('export jobs stayed unprocessed');
      const result = await this.documents.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const job = item.job as ExportJob;
        found.set(job.id, job);
      }
      keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return found;
  }

  async save(job: ExportJob): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...jobKey(job.id), revision: job.revision, job },
          ConditionExpression: 'revision = :previous',
          ExpressionAttributeValues: { ':previous': job.revision - 1 },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

/**
 * Entries per page of an export's read: about one of DynamoDB's 1 MB pages of entries (they are
 * under a kilobyte), so no more requests than without a limit — and DynamoDB Local, which reads all
 * that is left of a key range for every page, pages through a long chain in linear time.
 */
export const CHAIN_PAGE_ITEMS = 1000;

/** Reads a municipality's chain by sequence number (its sort key). */
export class DynamoDbAuditChainReader implements AuditChainReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async head(municipality: string): Promise<{ sequence: number; hash: string } | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: chainPartition(municipality), sk: 'HEAD' },
        ConsistentRead: true,
      }),
    );
    return Item ? { sequence: Number(Item.sequence), hash: String(Item.hash) } : undefined;
  }

  async entry(municipality: string, sequence: number): Promise<AuditEvent | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: chainPartition(municipality), sk: sequenceKey(sequence) },
      }),
    );
    return Item?.entry as AuditEvent | undefined;
  }

  async *entries(municipality: string, first: number, last: number): AsyncIterable<AuditEvent[]> {
    if (last < first) return;
    let startKey: Record<string, unknown> | undefined;
    do {
      // About one 1 MB page at a time: the fewest requests, and memory bounded by one page.
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: {
            ':pk': chainPartition(municipality),
            ':first': sequenceKey(first),
            ':last': sequenceKey(last),
          },
          ProjectionExpression: 'entry',
          Limit: CHAIN_PAGE_ITEMS,
          ExclusiveStartKey: startKey,
        }),
      );
      const page = (result.Items ?? []).map((item) => item.entry as AuditEvent);
      if (page.length > 0) yield page;
      startKey = result.LastEvaluatedKey;
    } while (startKey);
  }
}
