import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../shared/logger.js';
import { type EscalateReferralsDeps, type EscalationRun, escalateReferrals } from './escalate-referrals.js';

/**
 * Invoked by the hourly schedule; the event carries nothing the run needs. A referral that failed
 * makes the invocation fail (the Errors metric) after the others were done; it stays due.
 */
export const makeHandler = (deps: EscalateReferralsDeps) =>
  middy<unknown, EscalationRun>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler(async (_event: unknown, context: Context) =>
      escalateReferrals(deps, { remainingMs: () => context.getRemainingTimeInMillis() }),
    ) as unknown as (event: unknown, context?: unknown) => Promise<EscalationRun>;
