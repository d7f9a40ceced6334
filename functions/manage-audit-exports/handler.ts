import type { Implementations } from '../shared/declarations.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { MANAGE_AUDIT_EXPORTS_OPERATIONS } from './declaration.js';
import {
  createAuditExport,
  getAuditExport,
  listAuditExports,
  type ManageAuditExportsDeps,
} from './manage-audit-exports.js';

const implementations: Implementations<typeof MANAGE_AUDIT_EXPORTS_OPERATIONS, ManageAuditExportsDeps> = {
  createAuditExport: async ({ client, user, body }, deps) => {
    const job = await createAuditExport(deps, { client, user, body });
    return { status: 202, headers: { Location: `/v1/audit-exports/${job.id}` }, body: job };
  },
  listAuditExports: async ({ client, user, query }, deps) => ({
    status: 200,
    body: await listAuditExports(deps, { client, user, query }),
  }),
  getAuditExport: async ({ client, user, path }, deps) => ({
    status: 200,
    body: await getAuditExport(deps, { client, user, id: path.id }),
  }),
};

export type { ManageAuditExportsDeps };

export const makeHandler = (deps: ManageAuditExportsDeps) =>
  apiHandler(MANAGE_AUDIT_EXPORTS_OPERATIONS, implementations, deps);
