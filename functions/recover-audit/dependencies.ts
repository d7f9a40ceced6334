import { DynamoDbAuditLog } from '../shared/adapters/dynamodb-audit-log.js';
import { DynamoDbChangeStream } from '../shared/adapters/dynamodb-change-stream.js';
import { DynamoDbChangedItems } from '../shared/adapters/dynamodb-changed-items.js';
import { createDocumentClient, createStreamsClient } from '../shared/adapters/dynamodb-client.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock } from '../shared/wiring.js';
import { RECOVER_AUDIT } from './declaration.js';
import type { RecoverAuditDeps } from './recover-audit.js';

export function productionDependencies(source: EnvSource = process.env): RecoverAuditDeps {
  const env = loadEnv(RECOVER_AUDIT.environment, source);
  const documents = createDocumentClient(env);
  return {
    audit: new DynamoDbAuditLog(documents, env.AUDIT_TABLE_NAME, clock),
    stream: new DynamoDbChangeStream(createStreamsClient(env)),
    items: new DynamoDbChangedItems(documents, env.STATE_TABLE_NAME),
  };
}
