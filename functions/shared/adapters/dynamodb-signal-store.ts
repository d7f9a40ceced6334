import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ChangeRecord, StoredReferral, StoredSignal } from '../model.js';
import type {
  CreateSignalOutcome,
  RouteOutcome,
  SignalStore,
  WithdrawOutcome,
} from '../ports/signal-store.js';
import {
  referralItem,
  referralKey,
  signalItem,
  signalKey,
  sourceKey,
  toReferral,
  toSignal,
} from './state-items.js';
import { failedConditions, putNew } from './transactions.js';

export class DynamoDbSignalStore implements SignalStore {
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

  async getReferrals(ids: readonly string[]): Promise<StoredReferral[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, StoredReferral>();
    let keys: Record<string, unknown>[] = ids.map(referralKey);
    // BatchGetItem may return part of the keys unprocessed under load; ask again for those.
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
      const result = await this.documents.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const referral = toReferral(item);
        found.set(referral.id, referral);
      }
      keys = (result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  async routeSignal(signal: StoredSignal, referral: StoredReferral): Promise<RouteOutcome> {
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            putNew(this.tableName, referralItem(referral)),
            {
              Update: {
                TableName: this.tableName,
                Key: signalKey(signal.id),
                ConditionExpression: '#status = :received',
                UpdateExpression:
                  'SET #status = :routed, referralIds = list_append(referralIds, :ids), updatedAt = :at, lastChange = :change, version = version + :one',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':received': 'received',
                  ':routed': 'routed',
                  ':ids': [referral.id],
                  ':at': referral.createdAt,
                  ':one': 1,
                  ':change': {
                    ...referral.lastChange,
                    eventType: 'signal.routed',
                    details: { teamId: referral.teamId, ruleId: referral.ruleId, referralId: referral.id },
                  },
                },
              },
            },
          ],
        }),
      );
      return { outcome: 'routed' };
    } catch (error) {
      failedConditions(error);
      return { outcome: 'signal-not-received' };
    }
  }

  async markUnroutable(signal: StoredSignal, change: ChangeRecord): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: signalKey(signal.id),
          ConditionExpression: '#status = :received',
          UpdateExpression:
            'SET #status = :unroutable, updatedAt = :at, lastChange = :change, version = version + :one',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':received': 'received',
            ':unroutable': 'unroutable',
            ':at': change.at,
            ':change': change,
            ':one': 1,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async withdrawSignal(
    signal: StoredSignal,
    openReferrals: readonly StoredReferral[],
    change: ChangeRecord,
    reason: string | undefined,
  ): Promise<WithdrawOutcome> {
    const withdrawn: StoredReferral[] = openReferrals.map((r) => ({
      ...r,
      status: 'withdrawn',
      version: r.version + 1,
      updatedAt: change.at,
      history: [...r.history, { status: 'withdrawn', at: change.at, ...(reason ? { reason } : {}) }],
      lastChange: {
        ...change,
        eventType: 'referral.withdrawn',
        onBehalfOf: { schoolLocation: signal.schoolLocation },
        details: { fromStatus: r.status, toStatus: 'withdrawn', teamId: r.teamId },
      },
    }));
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: signalKey(signal.id),
                ConditionExpression: 'version = :version',
                UpdateExpression:
                  'SET #status = :withdrawn, updatedAt = :at, lastChange = :change, version = :next',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':version': signal.version,
                  ':next': signal.version + 1,
                  ':withdrawn': 'withdrawn',
                  ':at': change.at,
                  ':change': change,
                },
              },
            },
            ...withdrawn.map((r, i) => ({
              Put: {
                TableName: this.tableName,
                Item: referralItem(r),
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: { ':version': openReferrals[i]?.version },
              },
            })),
          ],
        }),
      );
      return { outcome: 'withdrawn', referrals: withdrawn };
    } catch (error) {
      failedConditions(error);
      return { outcome: 'changed-meanwhile' };
    }
  }
}
