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

/** A transaction item that creates `item` and fails its condition if the key exists. */
export function putNew(tableName: string, item: Record<string, unknown>) {
  return { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}
