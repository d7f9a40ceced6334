import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReferralStatus } from '../../../domain/referral-state.js';
import type { ChangeRecord, StoredReferral, StoredSignal } from '../model.js';
import type { ReferralPage, ReferralStore } from '../ports/referral-store.js';
import { STATE_TABLE } from '../state-table.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { referralKey, signalKey, teamPartition, toReferral, toSignal } from './state-items.js';

export class DynamoDbReferralStore implements ReferralStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getReferral(id: string): Promise<StoredReferral | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: referralKey(id), ConsistentRead: true }),
    );
    return Item ? toReferral(Item) : undefined;
  }

  async getSignal(id: string): Promise<StoredSignal | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: signalKey(id), ConsistentRead: true }),
    );
    return Item ? toSignal(Item) : undefined;
  }

  async listTeamReferrals(
    teamId: string,
    options: { limit: number; cursor?: string | undefined; status?: ReferralStatus | undefined },
  ): Promise<ReferralPage> {
    const index = STATE_TABLE.indexes.byTeam;
    const partition = teamPartition(teamId);
    const items: StoredReferral[] = [];
    let startKey = decodeCursor(options.cursor, { [index.partitionKey]: partition });
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
      startKey = result.LastEvaluatedKey as Record<string, string | number> | undefined;
    } while (startKey && items.length < options.limit);
    const next = encodeCursor(startKey);
    return { items, ...(next ? { next } : {}) };
  }

  async updateStatus(
    referral: StoredReferral,
    to: ReferralStatus,
    change: ChangeRecord,
    reason: string | undefined,
  ): Promise<StoredReferral | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: referralKey(referral.id),
          ConditionExpression: 'version = :version',
          UpdateExpression:
            'SET #status = :to, version = :next, updatedAt = :at, lastChange = :change, history = list_append(history, :entry)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':version': referral.version,
            ':next': referral.version + 1,
            ':to': to,
            ':at': change.at,
            ':change': change,
            ':entry': [{ status: to, at: change.at, ...(reason ? { reason } : {}) }],
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toReferral(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
