import type { Client } from '../../schemas/client.js';
import type { InvalidParam } from '../../schemas/problem.js';
import type { SignalSubmission } from '../../schemas/signal.js';
import { settleBounded } from '../shared/concurrency.js';
import { ValidationError } from '../shared/errors.js';
import { type SubmitSignalDeps, type SubmitSignalResult, submitSignal } from './submit-signal.js';

/**
 * Items submitted at once. Each item makes a few calls in a row (the table, the queue); eight at
 * a time turn the 100 of a full batch into 13 rounds, and stay far below the table's and the
 * queue's throttling limits and the SDK's 50 sockets per client.
 */
export const BATCH_CONCURRENCY = 8;

/** An item as the single operation's validation judged it (schema, Unicode, and its rules). */
export type BatchItem = { ok: true; value: SignalSubmission } | { ok: false; invalidParams: InvalidParam[] };

export interface SubmitSignalBatchInput {
  client: Client;
  user: string | undefined;
  items: readonly BatchItem[];
}

/**
 * Per item, in the items' order: what `submitSignal` returned, or what it threw — the errors of a
 * single submission (a ValidationError for a bad item, a ConflictError, a ServiceUnavailableError),
 * for the edge to word as the single operation would.
 */
export type BatchItemOutcome = PromiseSettledResult<SubmitSignalResult>;

/**
 * A backlog submission: every valid item goes through `submitSignal`, exactly as a single
 * submission would (idempotent per sourceId, sealed, enqueued), a few at a time; a bad item or a
 * failing one answers for itself and never stops the others.
 */
export async function submitSignalBatch(
  deps: SubmitSignalDeps,
  input: SubmitSignalBatchInput,
): Promise<BatchItemOutcome[]> {
  const { client, user, items } = input;
  const outcomes = new Array<BatchItemOutcome>(items.length);
  // Items with one sourceId go one after the other, in their order, as if sent one by one: the
  // first is stored, a later one is its replay or a 409 — never a race between the two.
  const lanes = new Map<string, { index: number; submission: SignalSubmission }[]>();
  items.forEach((item, index) => {
    if (!item.ok) {
      outcomes[index] = { status: 'rejected', reason: new ValidationError(item.invalidParams) };
      return;
    }
    const lane = lanes.get(item.value.sourceId) ?? [];
    lanes.set(item.value.sourceId, [...lane, { index, submission: item.value }]);
  });
  await settleBounded([...lanes.values()], BATCH_CONCURRENCY, async (lane) => {
    for (const { index, submission } of lane) {
      try {
        outcomes[index] = {
          status: 'fulfilled',
          value: await submitSignal(deps, { client, user, submission }),
        };
      } catch (reason) {
        outcomes[index] = { status: 'rejected', reason };
      }
    }
  });
  return outcomes;
}
