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
import type { StoredReferral, StoredSignal } from '../model.js';
import type { ReferralPage, ReferralStore } from '../ports/referral-store.js';
import type { CreateSignalOutcome, SignalStore } from '../ports/signal-store.js';
import type { CommitOutcome, StateWrite } from '../ports/state-writes.js';
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
import { STATE_TABLE } from './state-table.js';
import { failedConditions, putNew } from './transactions.js';

/** DynamoDB caps a transaction at 100 items; a signal has a handful of referrals. */
const MAX_TRANSACTION_ITEMS = 100;

/**
 * Signals and referrals in the state table. It stores what the use cases decided and nothing
 * else: each write puts the whole new version of a record, on the condition that the table holds
 * the version before it.
 */
export class DynamoDbStateStore implements SignalStore, ReferralStore {
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
    options: { limit: number; cursor?: string | undefined; status?: ReferralStatus | undefined },
  ): Promise<ReferralPage> {
    const index = STATE_TABLE.indexes.byTeam;
    const partition = teamPartition(teamId);
    const items: StoredReferral[] = [];
    let startKey = decodeCursor(options.cursor, { [index.partitionKey]: partition }, REFERRAL_PAGE_KEY);
    // DynamoDB applies Limit before the status filter; keep reading until the page is full.
    do {
      const result = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byTeam',
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: {
            '#pk': index.partitionKey,
            ...(options.status ? { '#status': 'status' } : {}),
          },
          ExpressionAttributeValues: {
            ':pk': partition,
            ...(options.status ? { ':status': options.status } : {}),
          },
          ...(options.status ? { FilterExpression: '#status = :status' } : {}),
          ScanIndexForward: false,
          Limit: options.limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []).map(toReferral));
      startKey = result.LastEvaluatedKey as Record<string, string> | undefined;
    } while (startKey && items.length < options.limit);
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

/** The key attributes of a byTeam page cursor (the table's key and the index's). */
const REFERRAL_PAGE_KEY = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;
