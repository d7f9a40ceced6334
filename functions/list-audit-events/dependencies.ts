import { DynamoDbAccessLog } from '../shared/adapters/dynamodb-access-log.js';
import { DynamoDbAuditLog } from '../shared/adapters/dynamodb-audit-log.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, newId } from '../shared/wiring.js';
import { LIST_AUDIT_EVENTS } from './declaration.js';
import type { ListAuditEventsDeps } from './list-audit-events.js';

export function productionDependencies(source: EnvSource = process.env): ListAuditEventsDeps {
  const env = loadEnv(LIST_AUDIT_EVENTS.environment, source);
  const documents = createDocumentClient(env);
  return {
    audit: new DynamoDbAuditLog(documents, env.AUDIT_TABLE_NAME, clock),
    access: new DynamoDbAccessLog(documents, env.STATE_TABLE_NAME, clock),
    now: clock,
    newId,
  };
}
