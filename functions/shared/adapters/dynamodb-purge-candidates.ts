import { type DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { PurgeCandidates } from '../ports/purge-candidates.js';

/** Segments scanned side by side (DynamoDB developer guide, "Parallel scan"). */
const SCAN_SEGMENTS = 8;

/**
 * The candidates for the retention purge, from a daily scan of the state table that returns only
 * the ids of signals and referrals not purged yet and old enough to be due. A scan is the honest
 * price of a rule that depends on every referral of a signal; a purged item drops out of it.
 */
export class DynamoDbPurgeCandidates implements PurgeCandidates {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async signalIds(receivedAtOrBefore: string): Promise<string[]> {
    const ids = new Set<string>();
    await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
        const pages = paginateScan(
          { client: this.documents },
          {
            TableName: this.tableName,
            Segment: segment,
            TotalSegments: SCAN_SEGMENTS,
            FilterExpression:
              'attribute_not_exists(#purged) AND ((#entity = :signal AND #receivedAt <= :cutoff) OR ' +
              '(#entity = :referral AND #createdAt <= :cutoff))',
            ExpressionAttributeNames: {
              '#purged': 'pupilDataPurgedAt',
              '#entity': 'entity',
              '#receivedAt': 'receivedAt',
              '#createdAt': 'createdAt',
              '#id': 'id',
              '#signalId': 'signalId',
            },
            ExpressionAttributeValues: {
              ':signal': 'signal',
              ':referral': 'referral',
              ':cutoff': receivedAtOrBefore,
            },
            ProjectionExpression: '#entity, #id, #signalId',
          },
        );
        for await (const page of pages) {
          for (const item of page.Items ?? []) {
            ids.add(String(item.entity === 'signal' ? item.id : item.signalId));
          }
        }
      }),
    );
    return [...ids].sort();
  }
}
