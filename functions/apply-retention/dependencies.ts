import { DEFAULT_RETENTION } from '../../domain/retention.js';
import { DynamoDbAuditLog } from '../shared/adapters/dynamodb-audit-log.js';
import { DynamoDbAuditRetention } from '../shared/adapters/dynamodb-audit-retention.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { DynamoDbPurgeCandidates } from '../shared/adapters/dynamodb-purge-candidates.js';
import { DynamoDbStateStore } from '../shared/adapters/dynamodb-state-store.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, deploymentConfig } from '../shared/wiring.js';
import type { ApplyRetentionDeps } from './apply-retention.js';
import { APPLY_RETENTION } from './declaration.js';

export function productionDependencies(source: EnvSource = process.env): ApplyRetentionDeps {
  const env = loadEnv(APPLY_RETENTION.environment, source);
  const config = deploymentConfig(env.SCHAKEL_DEPLOYMENT_CONFIG);
  const documents = createDocumentClient(env);
  return {
    signals: new DynamoDbStateStore(documents, env.STATE_TABLE_NAME),
    candidates: new DynamoDbPurgeCandidates(documents, env.STATE_TABLE_NAME),
    audit: new DynamoDbAuditLog(documents, env.AUDIT_TABLE_NAME, clock),
    auditRetention: new DynamoDbAuditRetention(documents, env.AUDIT_TABLE_NAME),
    periods: config.retention ?? DEFAULT_RETENTION,
    now: clock,
  };
}
