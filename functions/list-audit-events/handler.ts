import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { LIST_AUDIT_EVENTS_OPERATIONS } from './declaration.js';
import { type ListAuditEventsDeps, listAuditEvents } from './list-audit-events.js';

export type { ListAuditEventsDeps } from './list-audit-events.js';

const implementations: Implementations<typeof LIST_AUDIT_EVENTS_OPERATIONS, ListAuditEventsDeps> = {
  listAuditEvents: async ({ client, user, query }, deps) => ({
    status: 200,
    body: await listAuditEvents(deps, { client, user, query }),
  }),
};

export const makeHandler = (deps: ListAuditEventsDeps) =>
  apiHandler(LIST_AUDIT_EVENTS_OPERATIONS, implementations, deps);
