import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AccessRecord } from '../model.js';
import type { AccessLog } from '../ports/access-log.js';
import { accessItem } from './state-items.js';

/**
 * Writes the read record into the state table, whose stream already carries every change to the
 * audit writer: reads and changes reach the hash chain through one path, in one order.
 */
export class DynamoDbAccessLog implements AccessLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async recordRead(record: AccessRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: accessItem(record, this.now()),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
