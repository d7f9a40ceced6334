import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import type { AuditPage } from '../ports/audit-log.js';
import type { PupilAuditTrail } from '../ports/pupil-audit-trail.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { AUDIT_TABLE, pupilPartition } from './state-table.js';

const { byPupil } = AUDIT_TABLE.indexes;

/**
 * Reads the sparse index byPupil of the audit table: the chain entries whose object names the
 * pupil, in sequence order. The index holds only entries about a pupil, so a subject access reads
 * that pupil's events and never scans the municipality's whole chain.
 */
export class DynamoDbPupilAuditTrail implements PupilAuditTrail {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listForPupil(query: {
    municipality: string;
    pupilPseudonym: string;
    limit: number;
    cursor?: string | undefined;
  }): Promise<AuditPage> {
    const partition = pupilPartition(query.municipality, query.pupilPseudonym);
    // The key of an index query: the index's partition and the table's keys (sk serves both).
    const startKey = decodeCursor(
      query.cursor,
      { [byPupil.partitionKey]: partition, [AUDIT_TABLE.partitionKey]: `CHAIN#${query.municipality}` },
      [byPupil.partitionKey, AUDIT_TABLE.partitionKey, AUDIT_TABLE.sortKey],
      { [AUDIT_TABLE.sortKey]: 'SEQ#' },
    );
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byPupil',
        KeyConditionExpression: '#pupil = :pupil',
        ExpressionAttributeNames: { '#pupil': byPupil.partitionKey },
        ExpressionAttributeValues: { ':pupil': partition },
        Limit: query.limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (result.Items ?? []).map((item) => item.entry as AuditEvent);
    const next = encodeCursor(result.LastEvaluatedKey);
    return { items, ...(next ? { next } : {}) };
  }
}
