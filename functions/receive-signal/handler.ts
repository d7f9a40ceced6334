import type { SignalBatchItemResult } from '../../schemas/signal-batch.js';
import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { describeProblem } from '../shared/http/problem.js';
import { judgeBody } from '../shared/http/request-middlewares.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import { signalPath } from '../shared/resource-paths.js';
import { RECEIVE_SIGNAL_OPERATIONS } from './declaration.js';
import { getSignal } from './signal-view.js';
import { type SubmitSignalDeps, type SubmitSignalResult, submitSignal } from './submit-signal.js';
import { type BatchItemOutcome, submitSignalBatch } from './submit-signal-batch.js';
import { type WithdrawSignalDeps, withdrawSignal } from './withdraw-signal.js';

export type ReceiveSignalDeps = SubmitSignalDeps & WithdrawSignalDeps;

/** A signal accepted for routing, as the 202 of `POST /v1/signals` and a batch item both say it. */
const accepted = ({ id, status }: SubmitSignalResult) => ({
  location: signalPath(id),
  signal: { id, status },
});

/** One item of a batch, answered as `POST /v1/signals` would have answered it alone. */
function itemResult(outcome: BatchItemOutcome, index: number): SignalBatchItemResult {
  if (outcome.status === 'fulfilled') return { index, status: 202, ...accepted(outcome.value) };
  const { problem, headers, expected } = describeProblem(outcome.reason);
  if (!expected) {
    const errorName = (outcome.reason as Error | undefined)?.name;
    logEvent(LOG_EVENTS.batchItemFailed, { operationId: 'submitSignalBatch', index, errorName }, 'error');
  }
  return {
    index,
    status: problem.status,
    ...(headers.Location ? { location: headers.Location } : {}),
    problem,
  };
}

/** Why every item failed on our side (a table or queue out of reach), or undefined if one did not. */
function failureOfAll(outcomes: readonly BatchItemOutcome[]): unknown {
  const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
  const ours = (reason: unknown) => reason !== undefined && describeProblem(reason).problem.status >= 500;
  return reasons.every(ours) ? reasons[0] : undefined;
}

const implementations: Implementations<typeof RECEIVE_SIGNAL_OPERATIONS, ReceiveSignalDeps> = {
  submitSignal: async ({ client, user, body }, deps) => {
    const { location, signal } = accepted(await submitSignal(deps, { client, user, submission: body }));
    return { status: 202, headers: { Location: location }, body: signal };
  },
  submitSignalBatch: async ({ client, user, body }, deps) => {
    // Each item is the body of a single submission, judged by that operation's own validation.
    const context = { client, now: deps.now() };
    const items = body.signals.map((item) =>
      judgeBody(RECEIVE_SIGNAL_OPERATIONS.submitSignal, item, context),
    );
    const outcomes = await submitSignalBatch(deps, { client, user, items });
    // Nothing of such an answer is about the items: the whole request gets the 503 (Retry-After)
    // or 500 it is, so the outage shows in API Gateway's 5XXError metric and the client's retries.
    const failure = failureOfAll(outcomes);
    if (failure !== undefined) throw failure;
    const results = outcomes.map(itemResult);
    logEvent(LOG_EVENTS.signalBatchProcessed, {
      itemCount: results.length,
      accepted: results.filter((r) => r.status < 300).length,
      refused: results.filter((r) => r.status >= 400 && r.status < 500).length,
      failed: results.filter((r) => r.status >= 500).length,
    });
    return { status: 207, body: { results } };
  },
  getSignal: async ({ client, path }, deps) => ({
    status: 200,
    body: await getSignal(deps, { client, id: path.id }),
  }),
  withdrawSignal: async ({ client, user, path, body }, deps) => ({
    status: 200,
    body: await withdrawSignal(deps, { client, user, id: path.id, reason: body?.reason }),
  }),
};

export const makeHandler = (deps: ReceiveSignalDeps) =>
  apiHandler(RECEIVE_SIGNAL_OPERATIONS, implementations, deps, { now: deps.now });
