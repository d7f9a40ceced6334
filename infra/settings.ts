import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EXPORT_AUDIT } from '../functions/export-audit/declaration.js';
import { RECOVER_AUDIT } from '../functions/recover-audit/declaration.js';
import { ROUTE_SIGNAL } from '../functions/route-signal/declaration.js';

// Deployment-wide numbers. Per-function settings (timeout, memory, batch sizes) live in each
// function's declaration (functions/<name>/declaration.ts); those derived from them are here.

/** How often a message is received before SQS moves it to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** The SQS maximum: operators get two weeks to inspect and redrive dead letters. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * AWS guidance for SQS event sources: visibility timeout at least six times the function timeout
 * plus the batching window, so a message being retried is not handed out twice in parallel.
 */
export const INTAKE_VISIBILITY_TIMEOUT = (() => {
  const { trigger, timeoutSeconds } = ROUTE_SIGNAL;
  return Duration.seconds(6 * timeoutSeconds + trigger.maxBatchingWindowSeconds);
})();

/** The audit recovery queue, read by recover-audit: the same six-times rule. */
export const AUDIT_RECOVERY_VISIBILITY_TIMEOUT = Duration.seconds(6 * RECOVER_AUDIT.timeoutSeconds);

/** The audit export queue, read by export-audit: the same six-times rule. */
export const AUDIT_EXPORT_VISIBILITY_TIMEOUT = Duration.seconds(6 * EXPORT_AUDIT.timeoutSeconds);

/**
 * Receives of a stream batch before recover-audit gives it up to the recovery dead-letter queue:
 * 20 × 30 minutes of visibility is ten hours of trying, inside the 18 hours the stream still holds
 * a record that write-audit gave up on at six hours old.
 */
export const AUDIT_RECOVERY_MAX_RECEIVE_COUNT = 20;

/**
 * Operational logs (Lambda, API access) carry no pupil data (invariant 4), so keeping them a year
 * costs no privacy, and an incident that a school or municipality reports months later (signals
 * follow the school year) can still be traced. The audit trail itself lives in the audit table.
 */
export const LOG_RETENTION = RetentionDays.ONE_YEAR;

/**
 * Stage-wide default per API (not per client): a region's schools submit a few hundred signals a
 * day, so this only stops a runaway client before it costs Lambda concurrency.
 */
export const API_THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;
