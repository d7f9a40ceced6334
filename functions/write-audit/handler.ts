import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
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

const processor = new BatchProcessor(EventType.DynamoDBStreams);

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

async function handleRecord(record: DynamoDBRecord): Promise<void> {
  try {
    await writeAudit(dependencies(), toChange(record));
  } catch (error) {
    // Reported as a batch item failure: Lambda retries from this record, bisects the batch,
    // and after the retry limit sends the record's metadata to the on-failure queue.
    logEvent(
      LOG_EVENTS.batchItemFailed,
      { sequenceNumber: record.dynamodb?.SequenceNumber, errorName: (error as Error).name },
      'error',
    );
    throw error;
  }
}

export const handler = async (event: DynamoDBStreamEvent, context?: Context) => {
  if (context) logger.addContext(context);
  return processPartialResponse(event, handleRecord, processor, context ? { context } : undefined);
};
