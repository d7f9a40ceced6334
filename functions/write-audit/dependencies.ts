import { DynamoDbAuditLog } from '../shared/adapters/dynamodb-audit-log.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock } from '../shared/wiring.js';
import { WRITE_AUDIT } from './declaration.js';
import type { WriteAuditDeps } from './write-audit.js';

export function productionDependencies(source: EnvSource = process.env): WriteAuditDeps {
  const env = loadEnv(WRITE_AUDIT.environment, source);
  return { audit: new DynamoDbAuditLog(createDocumentClient(env), env.AUDIT_TABLE_NAME, clock) };
}
