import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ReferralStatus } from '../../../domain/referral-state.js';
import { InvalidCursorError } from '../errors.js';
import type { StoredReferral, StoredSignal } from '../model.js';
import type { ReferralPage, ReferralStore } from '../ports/referral-store.js';
import type { CreateSignalOutcome, SignalStore } from '../ports/signal-store.js';
import type { CommitOutcome, StateWrite } from '../ports/state-writes.js';
import type { ReferralWork, SignalPage, SignalQuery, SignalSearch } from '../ports/work-lists.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import {
  referralItem,
  referralKey,
  signalItem,
  signalKey,
  sourceKey,
  teamPartition,
  toReferral,
  toSignal,
} from './state-items.js';
import { municipalityPartition, STATE_TABLE, schoolPartition, workPartition } from './state-table.js';
import { failedConditions, putNew } from './transactions.js';

/** DynamoDB caps a transaction at 100 items; a signal has a handful of referrals. */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * Signals and referrals in the state table. It stores what the use cases decided and nothing
 * else: each write puts the whole new version of a record, on the condition that the table holds
 * the version before it.
 */
export class DynamoDbStateStore implements SignalStore, ReferralStore, SignalSearch, ReferralWork {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createSignal(signal: StoredSignal): Promise<CreateSignalOutcome> {
    const source = sourceKey(signal.sourceClientId, signal.sourceId);
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            putNew(this.tableName, {
              ...source,
              entity: 'source',
              signalId: signal.id,
              contentHash: signal.contentHash,
            }),
            putNew(this.tableName, signalItem(signal)),
          ],
        }),
      );
      return { outcome: 'created' };
    } catch (error) {
      failedConditions(error);
      const existing = await this.findSource(signal.sourceClientId, signal.sourceId);
      if (!existing) throw error;
      return { outcome: 'exists', ...existing };
    }
  }

  async findSource(
    clientId: string,
    sourceId: string,
  ): Promise<{ signalId: string; contentHash: string } | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: sourceKey(clientId, sourceId), ConsistentRead: true }),
    );
    return Item ? { signalId: String(Item.signalId), contentHash: String(Item.contentHash) } : undefined;
  }

  async getSignal(id: string): Promise<StoredSignal | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: signalKey(id), ConsistentRead: true }),
    );
    return Item ? toSignal(Item) : undefined;
  }

  async getReferral(id: string): Promise<StoredReferral | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: referralKey(id), ConsistentRead: true }),
    );
    return Item ? toReferral(Item) : undefined;
  }

  async getReferrals(ids: readonly string[]): Promise<StoredReferral[]> {
    const found = new Map((await this.batchGet(ids.map(referralKey))).map(toReferral).map((r) => [r.id, r]));
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  async getSignalWithReferrals(
    id: string,
    expected: readonly string[],
  ): Promise<{ signal: StoredSignal; referrals: StoredReferral[] } | undefined> {
    const items = await this.batchGet([signalKey(id), ...[...new Set(expected)].map(referralKey)]);
    const stored = items.find((item) => item.entity === 'signal');
    if (!stored) return undefined;
    const signal = toSignal(stored);
    const found = new Map(
      items
        .filter((item) => item.entity === 'referral')
        .map(toReferral)
        .map((r) => [r.id, r]),
    );
    const unexpected = signal.referralIds.filter((referralId) => !found.has(referralId));
    for (const referral of await this.getReferrals(unexpected)) found.set(referral.id, referral);
    return { signal, referrals: signal.referralIds.flatMap((referralId) => found.get(referralId) ?? []) };
  }

  /** Consistent reads of `keys` (at most 100), in any order; a key without an item is left out. */
  private async batchGet(keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let pending = keys;
    // BatchGetItem may return part of the keys unprocessed under load; ask again for those.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
      const result = await this.documents.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[this.tableName] ?? []));
      pending =
        (result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
    return items;
  }

  async listTeamReferrals(
    teamId: string,
    options: {
      limit: number;
      cursor?: string | undefined;
      status?: ReferralStatus | undefined;
      overdue?: boolean | undefined;
    },
  ): Promise<ReferralPage> {
    const filters: Filter[] = [];
    if (options.status) filters.push({ attribute: 'status', value: options.status });
    const page = await this.queryIndex({
      index: 'byTeam',
      partition: teamPartition(teamId),
      filters,
      // Escalated and still waiting to start: in the sparse overdue partition of byWork.
      ...(options.overdue ? { filterExpression: 'begins_with(#gsi3pk, :overdue)' } : {}),
      ...(options.overdue
        ? { filterNames: { '#gsi3pk': 'gsi3pk' }, filterValues: { ':overdue': 'OVERDUE#' } }
        : {}),
      limit: options.limit,
      cursor: options.cursor,
      newestFirst: true,
    });
    return { items: page.items.map(toReferral), ...(page.next ? { next: page.next } : {}) };
  }

  async searchSignals(query: SignalQuery): Promise<SignalPage> {
    const partition =
      query.scope.kind === 'school'
        ? { index: 'bySignal' as const, key: schoolPartition(query.scope.schoolLocation) }
        : query.status === 'unroutable'
          ? { index: 'byWork' as const, key: workPartition('UNROUTABLE', query.scope.municipality) }
          : { index: 'byTeam' as const, key: municipalityPartition(query.scope.municipality) };
    const filters: Filter[] = [];
    if (query.status && partition.index !== 'byWork')
      filters.push({ attribute: 'status', value: query.status });
    if (query.schoolLocation) filters.push({ attribute: 'schoolLocation', value: query.schoolLocation });
    const page = await this.queryIndex({
      index: partition.index,
      partition: partition.key,
      // Sort keys are `<receivedAt>#<id>`: from is inclusive, to exclusive (a key at `to` sorts after it).
      // Without a bound: '0' sorts before and '~' after every ISO instant.
      ...(query.from || query.to ? { range: { from: query.from ?? '0', to: query.to ?? '~' } } : {}),
      filters,
      limit: query.limit,
      cursor: query.cursor,
      newestFirst: true,
    });
    return { items: page.items.map(toSignal), ...(page.next ? { next: page.next } : {}) };
  }

  async dueReferrals(
    municipality: string,
    before: string,
    limit: number,
    after?: StoredReferral,
  ): Promise<StoredReferral[]> {
    const partition = workPartition('DUE', municipality);
    // The previous page's last item as the exclusive start: it need not be in the index any more.
    const cursor =
      after?.dueAt === undefined
        ? undefined
        : encodeCursor({ ...referralKey(after.id), gsi3pk: partition, gsi3sk: `${after.dueAt}#${after.id}` });
    const page = await this.queryIndex({
      index: 'byWork',
      partition,
      range: { from: '0', to: before },
      filters: [],
      limit,
      cursor,
      newestFirst: false,
    });
    return page.items.map(toReferral);
  }

  async overdueReferrals(
    municipality: string,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<ReferralPage> {
    const page = await this.queryIndex({
      index: 'byWork',
      partition: workPartition('OVERDUE', municipality),
      filters: [],
      limit: options.limit,
      cursor: options.cursor,
      newestFirst: false,
    });
    return { items: page.items.map(toReferral), ...(page.next ? { next: page.next } : {}) };
  }

  async referralsMade(
    teamId: string,
    municipality: string,
    from: string,
    to: string,
  ): Promise<StoredReferral[]> {
    const items: StoredReferral[] = [];
    let cursor: string | undefined;
    do {
      // Pages of a bounded size: DynamoDB Local reads a long partition in quadratic time without one.
      const page = await this.queryIndex({
        index: 'byTeam',
        partition: teamPartition(teamId),
        range: { from, to },
        filters: [
          { attribute: 'municipality', value: municipality },
          { attribute: 'requestType', value: 'referral' },
        ],
        limit: LEAD_TIME_PAGE_ITEMS,
        cursor,
        newestFirst: false,
        fillPage: false,
      });
      items.push(...page.items.map(toReferral));
      cursor = page.next;
    } while (cursor);
    return items;
  }

  /**
   * One page of a GSI partition, newest (or oldest) first, with equality filters applied while
   * reading: DynamoDB applies Limit before a filter, so it reads on until the page is full (unless
   * `fillPage` is false). The cursor is checked against the partition it was issued for.
   */
  private async queryIndex(query: {
    index: keyof typeof STATE_TABLE.indexes;
    partition: string;
    range?: { from: string; to: string };
    filters: readonly Filter[];
    filterExpression?: string;
    filterNames?: Record<string, string>;
    filterValues?: Record<string, string>;
    limit: number;
    cursor: string | undefined;
    newestFirst: boolean;
    fillPage?: boolean;
  }): Promise<{ items: Record<string, unknown>[]; next?: string }> {
    const keys = STATE_TABLE.indexes[query.index];
    const names: Record<string, string> = { '#pk': keys.partitionKey, ...query.filterNames };
    const values: Record<string, unknown> = { ':pk': query.partition, ...query.filterValues };
    let keyCondition = '#pk = :pk';
    if (query.range) {
      names['#sk'] = keys.sortKey;
      values[':from'] = query.range.from;
      values[':to'] = query.range.to;
      keyCondition += ' AND #sk BETWEEN :from AND :to';
    }
    const conditions = query.filters.map((filter, i) => {
      names[`#f${i}`] = filter.attribute;
      values[`:f${i}`] = filter.value;
      return `#f${i} = :f${i}`;
    });
    if (query.filterExpression) conditions.push(query.filterExpression);
    const items: Record<string, unknown>[] = [];
    let startKey = decodeCursor(query.cursor, { [keys.partitionKey]: query.partition }, [
      'pk',
      'sk',
      keys.partitionKey,
      keys.sortKey,
    ]);
    // DynamoDB refuses a start key outside the key condition (a 500): a cursor of another period.
    // No key this API issues equals an upper bound (keys go on with `#<id>` after the instant).
    const startSort = startKey?.[keys.sortKey];
    if (
      query.range &&
      startSort !== undefined &&
      (startSort < query.range.from || startSort >= query.range.to)
    ) {
      throw new InvalidCursorError('belongs to another query');
    }
    // With a filter, read well beyond the page: DynamoDB applies Limit before the filter, and a rare
    // status would take a request per few items. The page then ends at its last item, and the
    // cursor is that item's key, not DynamoDB's (which may lie past items read but not returned).
    const filtered = conditions.length > 0;
    const keyOf = (item: Record<string, unknown>) =>
      Object.fromEntries(
        ['pk', 'sk', keys.partitionKey, keys.sortKey].map((name) => [name, String(item[name])]),
      );
    do {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: query.index,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...(filtered ? { FilterExpression: conditions.join(' AND ') } : {}),
          ScanIndexForward: !query.newestFirst,
          Limit: filtered ? Math.max(FILTERED_READ_ITEMS, query.limit) : query.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey as Record<string, string> | undefined;
      if (items.length > query.limit) {
        items.length = query.limit;
        startKey = keyOf(items[query.limit - 1] as Record<string, unknown>);
      }
    } while (startKey && items.length < query.limit && query.fillPage !== false);
    const next = encodeCursor(startKey);
    return { items, ...(next ? { next } : {}) };
  }

  async commit(writes: readonly StateWrite[]): Promise<CommitOutcome> {
    if (writes.length === 0) return 'committed';
    if (writes.length > MAX_TRANSACTION_ITEMS) {
      throw new RangeError(`${writes.length} writes exceed one transaction (${MAX_TRANSACTION_ITEMS})`);
    }
    const puts = writes.map((write) => this.versionedPut(write));
    try {
      if (puts.length === 1) {
        await this.documents.send(new PutCommand((puts[0] as { Put: PutCommand['input'] }).Put));
      } else {
        await this.documents.send(new TransactWriteCommand({ TransactItems: puts }));
      }
      return 'committed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      failedConditions(error);
      return 'conflict';
    }
  }

  private versionedPut(write: StateWrite) {
    const item = write.entity === 'signal' ? signalItem(write.record) : referralItem(write.record);
    const { version } = write.record;
    if (!Number.isInteger(version) || version < 1) throw new RangeError(`invalid version ${version}`);
    if (version === 1) return putNew(this.tableName, item);
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'version = :previous',
        ExpressionAttributeValues: { ':previous': version - 1 },
      },
    };
  }
}

interface Filter {
  attribute: string;
  value: string;
}

/** Items read per request of a filtered list (a page is at most 100). */
const FILTERED_READ_ITEMS = 500;

/** Items per request when a lead-time query reads a team's referrals of a period. */
const LEAD_TIME_PAGE_ITEMS = 1000;
