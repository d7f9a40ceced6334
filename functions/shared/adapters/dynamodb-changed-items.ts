import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { StateChange } from '../../write-audit/derive-audit-event.js';
import type { ChangedItems } from '../ports/change-history.js';

/**
 * The signals and referrals last changed in a period, and the reads recorded in it, from a scan of
 * the state table: the last resort of audit recovery once the stream no longer holds a change, so
 * a full scan (rare, bounded by the table's size) is the honest price.
 */
export class DynamoDbChangedItems implements ChangedItems {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async changedBetween(from: string, to: string): Promise<StateChange[]> {
    const changes: StateChange[] = [];
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        ConsistentRead: true,
        FilterExpression:
          '(#entity IN (:signal, :referral) AND #updatedAt BETWEEN :from AND :to) OR ' +
          '(#entity = :access AND #change.#at BETWEEN :from AND :to)',
        ExpressionAttributeNames: {
          '#entity': 'entity',
          '#updatedAt': 'updatedAt',
          '#change': 'change',
          '#at': 'at',
        },
        ExpressionAttributeValues: {
          ':signal': 'signal',
          ':referral': 'referral',
          ':access': 'access',
          ':from': from,
          ':to': to,
        },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) changes.push({ eventName: 'MODIFY', newItem: item });
    }
    // Oldest change first, as the stream would have had them.
    const at = (c: StateChange) => String(c.newItem?.updatedAt ?? (c.newItem?.change as { at?: string })?.at);
    return changes.sort((a, b) => at(a).localeCompare(at(b)));
  }
}
