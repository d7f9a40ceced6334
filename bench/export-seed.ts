import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { chainPartition, sequenceKey } from '../functions/shared/adapters/dynamodb-audit-log.js';
import { AUDIT_TABLE, pupilPartition } from '../functions/shared/adapters/state-table.js';
import type { AuditEvent } from '../schemas/audit-event.js';
import { type ChainShape, chainEntries } from './export-events.js';
import { inParallel, thousands } from './measure.js';

// Writes the export bench's chain straight into an audit table, as the audit log lays it out
// (`CHAIN#<code>`/`SEQ#…` with `entry` and the byPupil index key, then `CHAIN#<code>`/`HEAD`), with
// BatchWriteItem: 25 items a call, several calls in flight. Appending through the audit log would
// take an hour for a million (a transaction of 49 events at a time, one writer per chain); the
// exactly-once markers (`EVENT#…`) are left out, the export never reads them.

const BATCH = 25;
const IN_FLIGHT = 8;
const PROGRESS_EVERY_MS = 5000;

/**
 * An audit table keyed like the CDK app's (pk/sk). Its sparse index byPupil is left out: the
 * export never reads it, and DynamoDB Local keeping it up slowed seeding by a third (3,300
 * instead of 4,600 items/s, measured). The items still carry its key, so they are the size of the real ones.
 */
export async function createAuditTable(documents: DynamoDBDocumentClient, name: string): Promise<void> {
  await documents.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [AUDIT_TABLE.partitionKey, AUDIT_TABLE.sortKey].map((AttributeName) => ({
        AttributeName,
        AttributeType: 'S',
      })),
    }),
  );
}

function chainItem(entry: AuditEvent): Record<string, unknown> {
  const pseudonym = entry.object.pupilPseudonym;
  return {
    pk: chainPartition(entry.municipality),
    sk: sequenceKey(entry.sequence),
    entry,
    ...(pseudonym
      ? { [AUDIT_TABLE.indexes.byPupil.partitionKey]: pupilPartition(entry.municipality, pseudonym) }
      : {}),
  };
}

/** One BatchWriteItem, and again for what DynamoDB leaves unprocessed (backing off). */
async function writeBatch(
  documents: DynamoDBDocumentClient,
  tableName: string,
  items: Record<string, unknown>[],
): Promise<void> {
  let requests = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 10) throw new Error(`${requests.length} chain items stayed unprocessed`);
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt)));
    const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
    requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
  }
}

export interface Seeded {
  ms: number;
  /** The last entry: the chain's head. */
  head: AuditEvent;
}

/** Writes entries 1…count of the chain and its head; progress on stderr. */
export async function seedChain(
  documents: DynamoDBDocumentClient,
  tableName: string,
  shape: ChainShape,
): Promise<Seeded> {
  const started = performance.now();
  const entries = chainEntries(shape);
  let written = 0;
  let head: AuditEvent | undefined;
  const ticker = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `  seeding ${seconds.toFixed(0).padStart(4)} s: ${thousands(written)}/${thousands(shape.count)} ` +
        `(${(written / seconds).toFixed(0)}/s)\n`,
    );
  }, PROGRESS_EVERY_MS);
  try {
    // Each batch takes the next 25 entries of the one chain before its first await: in order.
    await inParallel(Math.ceil(shape.count / BATCH), IN_FLIGHT, async () => {
      const items: Record<string, unknown>[] = [];
      for (let i = 0; i < BATCH; i++) {
        const next = entries.next();
        if (next.done) break;
        head = next.value;
        items.push(chainItem(next.value));
      }
      await writeBatch(documents, tableName, items);
      written += items.length;
    });
  } finally {
    clearInterval(ticker);
  }
  if (!head) throw new Error('an empty chain');
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        pk: chainPartition(shape.municipality),
        sk: 'HEAD',
        sequence: head.sequence,
        hash: head.hash,
        recordedAt: head.recordedAt,
      },
    }),
  );
  return { ms: performance.now() - started, head };
}
