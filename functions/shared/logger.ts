import { Logger } from '@aws-lambda-powertools/logger';
import type { LogEvent } from './log-events.js';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'schakel' });

type Fields = Record<string, string | number | boolean | undefined | null | string[]> & {
  /** Reserved for the catalogued event name. */
  event?: never;
  message?: never;
};

/** Logs one catalogued event. Fields are ids, statuses and counts only. */
export function logEvent(
  event: LogEvent,
  fields: Fields = {},
  level: 'info' | 'warn' | 'error' = 'info',
): void {
  logger[level]({ message: event, event, ...fields });
}
