import { DynamoDbAccessLog } from '../shared/adapters/dynamodb-access-log.js';
import { DynamoDbExportJobs } from '../shared/adapters/dynamodb-audit-exports.js';
import { createDocumentClient } from '../shared/adapters/dynamodb-client.js';
import { createS3Client } from '../shared/adapters/s3-client.js';
import { S3ExportFiles } from '../shared/adapters/s3-export-files.js';
import { createSqsClient } from '../shared/adapters/sqs-client.js';
import { SqsExportQueue } from '../shared/adapters/sqs-queues.js';
import { type EnvSource, loadEnv } from '../shared/env.js';
import { clock, newTimeOrderedId } from '../shared/wiring.js';
import { MANAGE_AUDIT_EXPORTS } from './declaration.js';
import type { ManageAuditExportsDeps } from './handler.js';

export function productionDependencies(source: EnvSource = process.env): ManageAuditExportsDeps {
  const env = loadEnv(MANAGE_AUDIT_EXPORTS.environment, source);
  const documents = createDocumentClient(env);
  return {
    jobs: new DynamoDbExportJobs(documents, env.AUDIT_TABLE_NAME),
    queue: new SqsExportQueue(createSqsClient(env), env.AUDIT_EXPORT_QUEUE_URL),
    files: new S3ExportFiles(createS3Client(env), env.EXPORT_BUCKET_NAME),
    access: new DynamoDbAccessLog(documents, env.STATE_TABLE_NAME, clock),
    now: clock,
    newId: newTimeOrderedId,
  };
}
