import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { IntakeMessageSchema } from '../../schemas/cloud-event.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent, logger } from '../shared/logger.js';
import { type RouteSignalDeps, routeSignal } from './route-signal.js';

/**
 * Each intake message on its own: a message that fails is reported as a batch item failure, comes
 * back after the visibility timeout and, after maxReceiveCount attempts, lands in the intake
 * DLQ — it is never dropped; the others of the batch are done.
 */
export const makeHandler = (deps: RouteSignalDeps) => {
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    try {
      const message = IntakeMessageSchema.parse(JSON.parse(record.body));
      await routeSignal(deps, message.signalId);
    } catch (error) {
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
  };
  // A processor per invocation: it holds the batch's successes and failures, and one warm handler
  // may run batches at once (local mode's concurrent intake batches, Lambda Managed Instances); a
  // shared one would report another batch's outcome and delete a failed message.
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler((event, context) =>
      processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), { context }),
    ) as unknown as (event: SQSEvent, context?: unknown) => Promise<SQSBatchResponse>;
};
