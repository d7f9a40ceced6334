import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { GENESIS_HASH, linkHash } from '../../../domain/audit-chain.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import type { AuditEntryDraft, AuditLog, AuditPage } from '../ports/audit-log.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { failedConditions, putNew } from './transactions.js';

const chainPartition = (municipality: string) => `CHAIN#${municipality}`;
const sequenceKey = (sequence: number) => `SEQ#${String(sequence).padStart(12, '0')}`;

/**
 * Concurrent writers to one municipality's chain race on its head; a loser reads the new head
 * and tries again after a capped exponential backoff with full jitter (the AWS Architecture
 * Blog's advice for contended optimistic writes). If it still loses, the error goes back to the
 * stream, which retries the record: nothing is lost, it only waits.
 */
const MAX_APPEND_ATTEMPTS = 40;
const MAX_BACKOFF_MS = 250;

export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(draft: AuditEntryDraft): Promise<'appended' | 'duplicate'> {
    const partition = chainPartition(draft.municipality);
    for (let attempt = 1; ; attempt++) {
      const { Item: head } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: partition, sk: 'HEAD' },
          ConsistentRead: true,
        }),
      );
      const previous = head
        ? { sequence: Number(head.sequence), hash: String(head.hash) }
        : { sequence: 0, hash: GENESIS_HASH };
      const unhashed = {
        ...draft,
        sequence: previous.sequence + 1,
        recordedAt: this.now().toISOString(),
        prevHash: previous.hash,
      };
      const entry: AuditEvent = { ...unhashed, hash: linkHash<AuditEvent>(unhashed) };
      try {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              // 0: the marker that makes the append exactly-once per source change
              putNew(this.tableName, {
                pk: `EVENT#${draft.id}`,
                sk: 'EVENT',
                municipality: draft.municipality,
                sequence: entry.sequence,
              }),
              // 1: the head moves only from the sequence this entry was chained to
              head
                ? {
                    Put: {
                      TableName: this.tableName,
                      Item: { pk: partition, sk: 'HEAD', sequence: entry.sequence, hash: entry.hash },
                      ConditionExpression: '#seq = :seq',
                      ExpressionAttributeNames: { '#seq': 'sequence' },
                      ExpressionAttributeValues: { ':seq': previous.sequence },
                    },
                  }
                : putNew(this.tableName, {
                    pk: partition,
                    sk: 'HEAD',
                    sequence: entry.sequence,
                    hash: entry.hash,
                  }),
              // 2: the entry itself, never overwritten
              putNew(this.tableName, { pk: partition, sk: sequenceKey(entry.sequence), entry }),
            ],
          }),
        );
        return 'appended';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed.includes(0)) return 'duplicate';
        if (attempt >= MAX_APPEND_ATTEMPTS)
          throw new Error(`audit chain ${draft.municipality} stayed contended`);
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt)));
      }
    }
  }

  async list(query: {
    municipality: string;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<AuditPage> {
    const partition = chainPartition(query.municipality);
    const filters: string[] = [];
    const values: Record<string, unknown> = { ':pk': partition, ':seq': 'SEQ#' };
    if (query.from) {
      filters.push('#entry.occurredAt >= :from');
      values[':from'] = query.from;
    }
    if (query.to) {
      filters.push('#entry.occurredAt < :to');
      values[':to'] = query.to;
    }
    const items: AuditEvent[] = [];
    let startKey = decodeCursor(query.cursor, { pk: partition }, ['pk', 'sk']);
    // A filter can leave a DynamoDB page short; keep reading until the page is full or the chain ends.
    do {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
          ExpressionAttributeValues: values,
          ...(filters.length
            ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: { '#entry': 'entry' } }
            : {}),
          Limit: query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) items.push(item.entry as AuditEvent);
      startKey = result.LastEvaluatedKey as Record<string, string> | undefined;
    } while (startKey && items.length < query.limit);
    const next = encodeCursor(startKey);
    return { items, ...(next ? { next } : {}) };
  }
}
