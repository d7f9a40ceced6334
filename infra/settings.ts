import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { FunctionName } from '../functions/catalog.js';

// Numbers the stacks share. They live in one place because some depend on each other: the intake
// queue's visibility timeout is derived from route-signal's timeout.

export interface FunctionSettings {
  /** API-facing functions stay well below API Gateway's 29 s integration timeout. */
  timeout: Duration;
  memorySize: number;
}

// 512 MB: Lambda allocates CPU in proportion to memory, so cold starts (zod schemas, SDK clients)
// of the API functions finish in roughly half the time of 256 MB for about the same cost per call.
const API_MEMORY = 512;

export const FUNCTION_SETTINGS: Record<FunctionName, FunctionSettings> = {
  // Runs before every uncached request: one GetItem. Short, so a stuck call fails fast as 5xx.
  'authorize-client': { timeout: Duration.seconds(5), memorySize: API_MEMORY },
  'receive-signal': { timeout: Duration.seconds(15), memorySize: API_MEMORY },
  // A batch of 10 intake messages, each a few DynamoDB writes and one SQS send.
  'route-signal': { timeout: Duration.seconds(30), memorySize: API_MEMORY },
  'track-referral': { timeout: Duration.seconds(15), memorySize: API_MEMORY },
  // A batch of stream records appended one by one to a hash chain (conditional writes).
  'write-audit': { timeout: Duration.seconds(60), memorySize: API_MEMORY },
  'list-audit-events': { timeout: Duration.seconds(15), memorySize: API_MEMORY },
  'serve-openapi': { timeout: Duration.seconds(5), memorySize: 256 },
};

/** How often a message is received before SQS moves it to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** The SQS maximum: operators get two weeks to inspect and redrive dead letters. */
export const DEAD_LETTER_RETENTION = Duration.days(14);

/** Long enough for the intake to gather a batch, short enough that schools hardly notice. */
export const INTAKE_MAX_BATCHING_WINDOW = Duration.seconds(1);

export const INTAKE_BATCH_SIZE = 10;

/**
 * AWS guidance for SQS event sources: visibility timeout at least six times the function timeout
 * plus the batching window, so a message being retried is not handed out twice in parallel.
 */
export const INTAKE_VISIBILITY_TIMEOUT = Duration.seconds(
  6 * FUNCTION_SETTINGS['route-signal'].timeout.toSeconds() + INTAKE_MAX_BATCHING_WINDOW.toSeconds(),
);

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

/** Authorizer decisions are cached per API key; a revoked key keeps working at most this long. */
export const AUTHORIZER_CACHE_TTL = Duration.minutes(5);
