import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { signalPath } from '../shared/resource-paths.js';
import { RECEIVE_SIGNAL_OPERATIONS } from './declaration.js';
import { getSignal } from './signal-view.js';
import { type SubmitSignalDeps, submitSignal } from './submit-signal.js';
import { type WithdrawSignalDeps, withdrawSignal } from './withdraw-signal.js';

export type ReceiveSignalDeps = SubmitSignalDeps & WithdrawSignalDeps;

const implementations: Implementations<typeof RECEIVE_SIGNAL_OPERATIONS, ReceiveSignalDeps> = {
  submitSignal: async ({ client, user, body }, deps) => {
    const result = await submitSignal(deps, { client, user, submission: body });
    return {
      status: 202,
      headers: { Location: signalPath(result.id) },
      body: { id: result.id, status: result.status },
    };
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
