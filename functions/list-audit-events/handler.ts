import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import type { AuditLog } from '../shared/ports/audit-log.js';
import { LIST_AUDIT_EVENTS_OPERATIONS } from './declaration.js';
import { listAuditEvents } from './list-audit-events.js';

export interface ListAuditEventsDeps {
  audit: AuditLog;
}

const implementations: Implementations<typeof LIST_AUDIT_EVENTS_OPERATIONS, ListAuditEventsDeps> = {
  listAuditEvents: async ({ client, query }, deps) => ({
    status: 200,
    body: await listAuditEvents(deps, { client, query }),
  }),
};

export const makeHandler = (deps: ListAuditEventsDeps) =>
  apiHandler(LIST_AUDIT_EVENTS_OPERATIONS, implementations, deps);
