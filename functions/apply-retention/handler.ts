import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../shared/logger.js';
import { type ApplyRetentionDeps, applyRetention, type RetentionRun } from './apply-retention.js';

/**
 * Invoked by the daily schedule. The event (EventBridge's "Scheduled Event") carries nothing the
 * run needs, so it is not read: every run decides from the tables and the clock. The run stops
 * before the function's timeout and the next one continues; items that failed make the invocation
 * fail (the Errors metric), after everything else was done.
 */
export const makeHandler = (deps: ApplyRetentionDeps) =>
  middy<unknown, RetentionRun>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler(async (_event: unknown, context: Context) =>
      applyRetention(deps, { remainingMs: () => context.getRemainingTimeInMillis() }),
    ) as unknown as (event: unknown, context?: unknown) => Promise<RetentionRun>;
