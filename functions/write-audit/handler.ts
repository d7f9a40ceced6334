import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { toStateChange } from '../shared/adapters/stream-records.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent, logger } from '../shared/logger.js';
import { type KeyedChange, type WriteAuditDeps, writeAudit } from './write-audit.js';

/**
 * The batch's changes are appended per municipality in stream order. If a chain fails part way,
 * the earliest record not appended is reported as the batch item failure, so Lambda resumes the
 * shard from exactly that record (AWS Lambda developer guide, "Implementing partial batch
 * responses" for DynamoDB streams); records after it that were appended come back as duplicates
 * and are skipped. Processing on past a failure — as a generic batch processor does — would
 * append later changes before the earlier one and scramble the order of the audit chain.
 */
export const makeHandler = (deps: WriteAuditDeps) =>
  middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler(async (event) => {
      const changes: KeyedChange[] = [];
      let unreadable: DynamoDBRecord | undefined;
      for (const [index, record] of event.Records.entries()) {
        try {
          changes.push({
            key: record.dynamodb?.SequenceNumber ?? `#${index}`,
            change: toStateChange(record),
          });
        } catch {
          // Never skipped: the changes before it are appended, then the shard waits on it.
          unreadable = record;
          break;
        }
      }
      const { firstFailed = unreadable?.dynamodb?.SequenceNumber ?? (unreadable ? '#' : undefined) } =
        await writeAudit(deps, changes);
      if (firstFailed === undefined) return { batchItemFailures: [] };
      logEvent(LOG_EVENTS.batchItemFailed, { sequenceNumber: firstFailed }, 'error');
      // Without a sequence number Lambda cannot resume part way: fail the whole batch.
      if (firstFailed.startsWith('#'))
        throw new Error('audit append failed on a record without a sequence number');
      return { batchItemFailures: [{ itemIdentifier: firstFailed }] };
    }) as unknown as (event: DynamoDBStreamEvent, context?: unknown) => Promise<DynamoDBBatchResponse>;
