import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { LOG_EVENTS } from './log-events.js';
import { logEvent, logger } from './logger.js';

/**
 * A Lambda handler for an SQS event source that reports batch item failures: each message is
 * handled on its own; one that fails is reported, comes back after the visibility timeout and,
 * after the queue's maxReceiveCount, moves to its dead-letter queue — never dropped; the others
 * of the batch are done. `handle` gets the message body as parsed JSON and the invocation's context.
 */
export function sqsMessageHandler(handle: (body: unknown, context: Context) => Promise<unknown>) {
  const handleRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    try {
      await handle(JSON.parse(record.body), context);
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
}
