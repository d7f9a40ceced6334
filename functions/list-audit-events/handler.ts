import { DynamoDbAuditLog } from '../shared/adapters/dynamodb-audit-log.js';
import { clock, documents, once } from '../shared/dependencies.js';
import { loadEnv } from '../shared/env.js';
import { apiHandler } from '../shared/http/api-handler.js';
import { listAuditEvents } from './list-audit-events.js';

const dependencies = once(() => {
  const env = loadEnv(['AUDIT_TABLE_NAME']);
  return { audit: new DynamoDbAuditLog(documents(env), env.AUDIT_TABLE_NAME, clock) };
});

export const handler = apiHandler({
  'GET /v1/audit-events': async ({ client, query }) => ({
    status: 200,
    body: await listAuditEvents(dependencies(), { client, query }),
  }),
});
