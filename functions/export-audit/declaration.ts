import { declareFunction } from '../shared/declarations.js';

export const EXPORT_AUDIT = declareFunction({
  name: 'export-audit',
  description: 'Audit export queue → a municipality’s chain streamed into a file and manifest in the bucket',
  // Lambda's longest: a large municipality's year fits (the bench measures the rate); a longer
  // export hands over to a next invocation after each part, from where it stands.
  timeoutSeconds: 900,
  // Holds one DynamoDB page and one 8 MiB part at a time; more memory buys CPU for hashing.
  memoryMb: 1024,
  environment: [
    'AUDIT_TABLE_NAME',
    'AUDIT_EXPORT_QUEUE_URL',
    'EXPORT_BUCKET_NAME',
    'SCHAKEL_DEPLOYMENT_CONFIG',
    'AUDIT_EXPORT_SETTLE_SECONDS',
  ],
  // Reads the chains; writes only its jobs' partitions of the audit table.
  access: { auditTable: 'read', exportJobs: 'read-write', exportBucket: 'write', exportQueue: 'send' },
  trigger: { kind: 'audit-export-queue', batchSize: 1, maxConcurrency: 2 },
});
