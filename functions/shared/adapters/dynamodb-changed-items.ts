import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { StateChange } from '../../write-audit/derive-audit-event.js';
import type { ChangedItems } from '../ports/change-history.js';

/** Segments scanned side by side; a large table still fits recover-audit's timeout. */
const SCAN_SEGMENTS = 8;

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
    // A parallel scan (DynamoDB developer guide, "Parallel scan"): the table in segments side by side.
    await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, (_, segment) => this.scanSegment(segment, from, to, changes)),
    );
    // Oldest change first, as the stream would have had them.
    const at = (c: StateChange) => String(c.newItem?.updatedAt ?? (c.newItem?.change as { at?: string })?.at);
    return changes.sort((a, b) => at(a).localeCompare(at(b)));
  }

  private async scanSegment(
    segment: number,
    from: string,
    to: string,
    changes: StateChange[],
  ): Promise<void> {
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        Segment: segment,
        TotalSegments: SCAN_SEGMENTS,
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
      // A read record is only ever inserted; a signal or referral version stands on its own.
      for (const item of page.Items ?? [])
        changes.push({ eventName: item.entity === 'access' ? 'INSERT' : 'MODIFY', newItem: item });
    }
  }
}
