import { DEFAULT_EXPORT_FILE_RETENTION_DAYS } from '../../schemas/deployment-config.js';
import { DynamoDbAuditChainReader, DynamoDbExportJobs } from '../shared/adapters/dynamodb-audit-exports.js';
import { DynamoDbAuditRetention } from '../shared/adapters/dynamodb-audit-retention.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { createS3Client } from '../shared/adapters/s3-client.js';
import { S3ExportFiles } from '../shared/adapters/s3-export-files.js';
import { createSqsClient } from '../shared/adapters/sqs-client.js';
import { SqsExportQueue } from '../shared/adapters/sqs-queues.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, deploymentConfig } from '../shared/wiring.js';
import { EXPORT_AUDIT } from './declaration.js';
import type { ExportAuditDeps } from './export-audit.js';

export function productionDependencies(source: EnvSource = process.env): ExportAuditDeps {
  const env = loadEnv(EXPORT_AUDIT.environment, source);
  const documents = createDocumentClient(env);
  const config = deploymentConfig(env.SCHAKEL_DEPLOYMENT_CONFIG);
  return {
    jobs: new DynamoDbExportJobs(documents, env.AUDIT_TABLE_NAME),
    chain: new DynamoDbAuditChainReader(documents, env.AUDIT_TABLE_NAME),
    checkpoints: new DynamoDbAuditRetention(documents, env.AUDIT_TABLE_NAME),
    files: new S3ExportFiles(createS3Client(env), env.EXPORT_BUCKET_NAME),
    queue: new SqsExportQueue(createSqsClient(env), env.AUDIT_EXPORT_QUEUE_URL),
    now: clock,
    fileRetentionDays: config.auditExports?.fileRetentionDays ?? DEFAULT_EXPORT_FILE_RETENTION_DAYS,
    ...(env.AUDIT_EXPORT_SETTLE_SECONDS ? { settleMs: Number(env.AUDIT_EXPORT_SETTLE_SECONDS) * 1000 } : {}),
  };
}
