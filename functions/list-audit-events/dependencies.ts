import { DynamoDbAuditLog } from '../shared/adapters/dynamodb-audit-log.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock } from '../shared/wiring.js';
import { LIST_AUDIT_EVENTS } from './declaration.js';
import type { ListAuditEventsDeps } from './handler.js';

export function productionDependencies(source: EnvSource = process.env): ListAuditEventsDeps {
  const env = loadEnv(LIST_AUDIT_EVENTS.environment, source);
  return { audit: new DynamoDbAuditLog(createDocumentClient(env), env.AUDIT_TABLE_NAME, clock) };
}
