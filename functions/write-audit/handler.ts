import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toStateChange } from '../shared/adapters/stream-records.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent, logger } from '../shared/logger.js';
import { type WriteAuditDeps, writeAudit } from './write-audit.js';

/**
 * Records are appended one by one in stream order, and the first failure ends the batch: it is
 * reported as the batch item failure, so Lambda resumes the shard from exactly that record
 * (AWS Lambda developer guide, "Implementing partial batch responses" for DynamoDB streams).
 * Processing on past a failure — as a generic batch processor does — would append later
 * changes before the earlier one and scramble the order of the audit chain.
 */
export const makeHandler = (deps: WriteAuditDeps) =>
  middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler(async (event) => {
      for (const record of event.Records) {
        try {
          await writeAudit(deps, toStateChange(record));
        } catch (error) {
          const sequenceNumber = record.dynamodb?.SequenceNumber;
          logEvent(LOG_EVENTS.batchItemFailed, { sequenceNumber, errorName: (error as Error).name }, 'error');
          if (!sequenceNumber) throw error;
          return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
        }
      }
      return { batchItemFailures: [] };
    }) as unknown as (event: DynamoDBStreamEvent, context?: unknown) => Promise<DynamoDBBatchResponse>;
