import * as z from 'zod';

// Lambda's reading of a partial batch response (ReportBatchItemFailures), the same for SQS and
// DynamoDB stream mappings; only the item identifier differs (message id, sequence number).

const BatchResponseSchema = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.unknown() })).nullish(),
});

export type BatchOutcome =
  | { kind: 'success' }
  | { kind: 'partial'; failedIds: string[] }
  | { kind: 'failed'; reason: 'function-error' | 'invalid-response' };

/**
 * Reads a handler's answer the way Lambda does: null, an empty object or an empty list mean the
 * whole batch succeeded; an item identifier that is empty or not in the batch fails the whole batch.
 */
export function interpretBatchResponse(
  response: unknown,
  batchIds: readonly string[],
  reportBatchItemFailures: boolean,
): BatchOutcome {
  if (!reportBatchItemFailures || response === null || response === undefined) return { kind: 'success' };
  const parsed = BatchResponseSchema.safeParse(response);
  if (!parsed.success) return { kind: 'success' };
  const failures = parsed.data.batchItemFailures ?? [];
  if (failures.length === 0) return { kind: 'success' };
  const known = new Set(batchIds);
  const failedIds: string[] = [];
  for (const failure of failures) {
    const id = failure.itemIdentifier;
    if (typeof id !== 'string' || !known.has(id)) return { kind: 'failed', reason: 'invalid-response' };
    failedIds.push(id);
  }
  return { kind: 'partial', failedIds };
}
