import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { GENESIS_HASH, linkHash } from '../../../domain/audit-chain.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import {
  type AppendOutcome,
  AuditAppendError,
  type AuditEntryDraft,
  type AuditLog,
  type AuditPage,
} from '../ports/audit-log.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { AUDIT_TABLE, pupilPartition } from './state-table.js';
import { failedConditions, putNew } from './transactions.js';

export const chainPartition = (municipality: string) => `CHAIN#${municipality}`;
export const sequenceKey = (sequence: number) => `SEQ#${String(sequence).padStart(12, '0')}`;
const markerKey = (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' });

/**
 * A transaction holds at most 100 items (DynamoDB's limit): per event its exactly-once marker and
 * the entry, plus the head once. 49 events of about a kilobyte stay far below the 4 MB limit.
 */
const EVENTS_PER_TRANSACTION = 49;

/**
 * Concurrent writers to one municipality's chain (stream shards are processed in parallel) race
 * on its head; a loser reads the new head and tries again after a capped exponential backoff with
 * full jitter (the AWS Architecture Blog's advice for contended optimistic writes). If it still
 * loses, the error goes back to the stream, which retries the records: nothing is lost, it waits.
 */
const MAX_CONFLICTS = 40;

/**
 * An append's transaction is given up (and the batch retried) when it has not committed this
 * long after its entries were stamped with `recordedAt`, so no entry lands much later than its
 * time says: an audit export ends a margin before it runs (export-audit's SETTLE_MS) and must
 * never see an entry of its period commit after it has read the period.
 */
export const APPEND_DEADLINE_MS = 30_000;
const MAX_BACKOFF_MS = 250;

/** Cancelled for a concurrent transaction on one of its items, and for nothing worse. */
function isConflict(error: TransactionCanceledException): boolean {
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
  return (
    codes.includes('TransactionConflict') &&
    codes.every((c) => c === 'None' || c === 'TransactionConflict' || c === 'ConditionalCheckFailed')
  );
}

/** An entry about a pupil is found again by the sparse index byPupil (subject access). */
function pupilIndexKey(municipality: string, entry: AuditEvent): Record<string, string> {
  const pseudonym = entry.object.pupilPseudonym;
  return pseudonym
    ? { [AUDIT_TABLE.indexes.byPupil.partitionKey]: pupilPartition(municipality, pseudonym) }
    : {};
}

interface Head {
  exists: boolean;
  sequence: number;
  hash: string;
  /** The last entry's recordedAt (absent on heads written before it was kept). */
  recordedAt?: string;
}

/**
 * The audit chains, one per municipality, in the audit table: `CHAIN#<code>`/`HEAD` holds the
 * last sequence and hash, `CHAIN#<code>`/`SEQ#…` the entries, and `EVENT#<id>` marks a draft id
 * as appended. Each transaction moves the head from the sequence it was read at, so a chain never
 * forks; a draft whose marker exists is a duplicate and is left out.
 */
export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
    private readonly appendDeadlineMs = APPEND_DEADLINE_MS,
  ) {}

  async append(municipality: string, drafts: readonly AuditEntryDraft[]): Promise<AppendOutcome> {
    const outcome: AppendOutcome = { appended: 0, duplicates: 0 };
    // Positions in `drafts` not yet in the chain, in order; a repeated id counts once.
    const seen = new Set<string>();
    let pending = drafts.flatMap((draft, index) => {
      if (draft.municipality !== municipality) {
        throw new RangeError(`a draft of ${draft.municipality} offered to the chain of ${municipality}`);
      }
      if (seen.has(draft.id)) {
        outcome.duplicates += 1;
        return [];
      }
      seen.add(draft.id);
      return [index];
    });
    let head: Head | undefined;
    let conflicts = 0;
    while (pending.length > 0) {
      try {
        head ??= await this.readHead(municipality);
        const chunk = pending.slice(0, EVENTS_PER_TRANSACTION);
        const entries = this.chain(
          head,
          chunk.map((i) => drafts[i] as AuditEntryDraft),
        );
        const result = await this.commit(municipality, head, entries);
        if (result.ok) {
          const last = entries.at(-1) as AuditEvent;
          head = { exists: true, sequence: last.sequence, hash: last.hash, recordedAt: last.recordedAt };
          outcome.appended += chunk.length;
          pending = pending.slice(chunk.length);
          conflicts = 0;
          continue;
        }
        // A marker that exists: that draft is already in the chain. Leave it out and chain the rest.
        const appendedBefore = new Set(result.duplicateEntries.map((k) => chunk[k]));
        if (appendedBefore.size > 0) {
          outcome.duplicates += appendedBefore.size;
          pending = pending.filter((i) => !appendedBefore.has(i));
        }
        if (result.headMoved) {
          head = undefined;
          conflicts += 1;
          if (conflicts >= MAX_CONFLICTS) throw new Error(`audit chain ${municipality} stayed contended`);
          await new Promise((r) =>
            setTimeout(r, Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** conflicts)),
          );
        }
      } catch (error) {
        const done = pending[0] ?? drafts.length;
        throw new AuditAppendError(`appending to the audit chain of ${municipality} failed`, done, {
          cause: error,
        });
      }
    }
    return outcome;
  }

  private async readHead(municipality: string): Promise<Head> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: chainPartition(municipality), sk: 'HEAD' },
        ConsistentRead: true,
      }),
    );
    if (!Item) return { exists: false, sequence: 0, hash: GENESIS_HASH };
    return {
      exists: true,
      sequence: Number(Item.sequence),
      hash: String(Item.hash),
      ...(typeof Item.recordedAt === 'string' ? { recordedAt: Item.recordedAt } : {}),
    };
  }

  /**
   * The drafts as chain entries after `head`, hashed one onto the other. `recordedAt` never goes
   * back along the chain (a writer whose clock is behind takes the head's), so the entries
   * recorded in a period are one unbroken run of sequence numbers: what an export selects.
   */
  private chain(head: Head, drafts: readonly AuditEntryDraft[]): AuditEvent[] {
    const now = this.now().toISOString();
    const recordedAt = head.recordedAt && head.recordedAt > now ? head.recordedAt : now;
    let previous = { sequence: head.sequence, hash: head.hash };
    return drafts.map((draft) => {
      const unhashed = { ...draft, sequence: previous.sequence + 1, recordedAt, prevHash: previous.hash };
      const entry: AuditEvent = { ...unhashed, hash: linkHash<AuditEvent>(unhashed) };
      previous = entry;
      return entry;
    });
  }

  /**
   * One transaction: the markers (items 0…n-1), the head (item n), the entries. Answers which
   * markers existed and whether the head had moved, when a condition failed.
   */
  private async commit(
    municipality: string,
    head: Head,
    entries: readonly AuditEvent[],
  ): Promise<{ ok: true } | { ok: false; duplicateEntries: number[]; headMoved: boolean }> {
    const partition = chainPartition(municipality);
    const last = entries.at(-1) as AuditEvent;
    const headItem = {
      pk: partition,
      sk: 'HEAD',
      sequence: last.sequence,
      hash: last.hash,
      recordedAt: last.recordedAt,
    };
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            ...entries.map((entry) =>
              putNew(this.tableName, { ...markerKey(entry.id), municipality, sequence: entry.sequence }),
            ),
            head.exists
              ? {
                  Put: {
                    TableName: this.tableName,
                    Item: headItem,
                    ConditionExpression: '#seq = :seq',
                    ExpressionAttributeNames: { '#seq': 'sequence' },
                    ExpressionAttributeValues: { ':seq': head.sequence },
                  },
                }
              : putNew(this.tableName, headItem),
            ...entries.map((entry) =>
              putNew(this.tableName, {
                pk: partition,
                sk: sequenceKey(entry.sequence),
                entry,
                ...pupilIndexKey(municipality, entry),
              }),
            ),
          ],
        }),
        // Across the SDK's own retries: stamped, then committed within the deadline or given up.
        { abortSignal: AbortSignal.timeout(this.appendDeadlineMs) },
      );
      return { ok: true };
    } catch (error) {
      // Two writers transacting on one head at the same moment: DynamoDB cancels one with
      // TransactionConflict rather than a failed condition. It lost a race like any other.
      if (error instanceof TransactionCanceledException && isConflict(error)) {
        return { ok: false, duplicateEntries: [], headMoved: true };
      }
      const failed = failedConditions(error);
      return {
        ok: false,
        duplicateEntries: failed.filter((i) => i < entries.length),
        // An entry's own slot taken also means another writer moved past the head that was read.
        headMoved: failed.some((i) => i >= entries.length),
      };
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
    let startKey = decodeCursor(query.cursor, { pk: partition }, ['pk', 'sk'], { sk: 'SEQ#' });
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
