import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * For a cancelled transaction, which of its items failed their condition (by index). Any other
 * error, or a cancellation for another reason (throttling, conflict), is rethrown to be retried.
 */
export function failedConditions(error: unknown): number[] {
  if (!(error instanceof TransactionCanceledException)) throw error;
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
  const other = reasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed');
  if (failed.length === 0 || other) throw error;
  return failed;
}
