import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbAuditLog } from '../shared/adapters/dynamodb-audit-log.js';
import { clock, documents, once } from '../shared/dependencies.js';
import { loadEnv } from '../shared/env.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent, logger } from '../shared/logger.js';
import type { StateChange } from './derive-audit-event.js';
import { writeAudit } from './write-audit.js';

const dependencies = once(() => {
  const env = loadEnv(['AUDIT_TABLE_NAME']);
  return { audit: new DynamoDbAuditLog(documents(env), env.AUDIT_TABLE_NAME, clock) };
});

type Image = Record<string, AttributeValue>;

function toChange(record: DynamoDBRecord): StateChange {
  const { eventName, dynamodb } = record;
  if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
    throw new Error(`unexpected stream event ${String(eventName)}`);
  }
  return {
    eventName,
    ...(dynamodb?.NewImage ? { newItem: unmarshall(dynamodb.NewImage as Image) } : {}),
    ...(dynamodb?.OldImage ? { oldItem: unmarshall(dynamodb.OldImage as Image) } : {}),
  };
}

/**
 * Records are appended one by one in stream order, and the first failure ends the batch: it is
 * reported as the batch item failure, so Lambda resumes the shard from exactly that record
 * (AWS Lambda developer guide, "Implementing partial batch responses" for DynamoDB streams).
 * Processing on past a failure — as a generic batch processor does — would append later
 * changes before the earlier one and scramble the order of the audit chain.
 */
export const handler = async (
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<DynamoDBBatchResponse> => {
  if (context) logger.addContext(context);
  for (const record of event.Records) {
    try {
      await writeAudit(dependencies(), toChange(record));
    } catch (error) {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      logEvent(LOG_EVENTS.batchItemFailed, { sequenceNumber, errorName: (error as Error).name }, 'error');
      if (!sequenceNumber) throw error;
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
};
