import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { FOLLOW_SIGNALS_OPERATIONS } from './declaration.js';
import { assignSignal, type FollowSignalsDeps, getLeadTimes, listSignals } from './follow-signals.js';

const implementations: Implementations<typeof FOLLOW_SIGNALS_OPERATIONS, FollowSignalsDeps> = {
  listSignals: async ({ client, user, query }, deps) => ({
    status: 200,
    body: await listSignals(deps, { client, user, query }),
  }),
  assignSignal: async ({ client, user, path, body }, deps) => ({
    status: 200,
    body: await assignSignal(deps, { client, user, id: path.id, assignment: body }),
  }),
  getLeadTimes: async ({ client, user, query }, deps) => ({
    status: 200,
    body: await getLeadTimes(deps, { client, user, query }),
  }),
};

export const makeHandler = (deps: FollowSignalsDeps) =>
  apiHandler(FOLLOW_SIGNALS_OPERATIONS, implementations, deps, { now: deps.now });
