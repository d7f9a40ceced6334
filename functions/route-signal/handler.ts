import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { IntakeMessageSchema } from '../../schemas/cloud-event.js';
import { DynamoDbSignalStore } from '../shared/adapters/dynamodb-signal-store.js';
import { SqsTeamQueue } from '../shared/adapters/sqs-queues.js';
import { clock, deploymentConfig, documents, once, sqs } from '../shared/dependencies.js';
import { loadEnv } from '../shared/env.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent, logger } from '../shared/logger.js';
import { routeSignal } from './route-signal.js';

const dependencies = once(() => {
  const env = loadEnv(['STATE_TABLE_NAME', 'DEPLOYMENT_NAME', 'SCHAKEL_DEPLOYMENT_CONFIG']);
  return {
    signals: new DynamoDbSignalStore(documents(env), env.STATE_TABLE_NAME),
    teams: new SqsTeamQueue(sqs(env), env.DEPLOYMENT_NAME),
    config: deploymentConfig(env.SCHAKEL_DEPLOYMENT_CONFIG),
    now: clock,
  };
});

const processor = new BatchProcessor(EventType.SQS);

async function handleRecord(record: SQSRecord): Promise<void> {
  try {
    const message = IntakeMessageSchema.parse(JSON.parse(record.body));
    await routeSignal(dependencies(), message.signalId);
  } catch (error) {
    // Rethrown: the message stays on the queue, comes back after the visibility timeout and,
    // after maxReceiveCount attempts, lands in the intake DLQ — it is never dropped.
    logEvent(
      LOG_EVENTS.batchItemFailed,
      {
        messageId: record.messageId,
        errorName: (error as Error).name,
        receiveCount: record.attributes?.ApproximateReceiveCount,
      },
      'error',
    );
    throw error;
  }
}

export const handler = async (event: SQSEvent, context?: Context) => {
  if (context) logger.addContext(context);
  return processPartialResponse(event, handleRecord, processor, context ? { context } : undefined);
};
