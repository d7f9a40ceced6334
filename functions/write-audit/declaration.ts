import { declareFunction } from '../shared/declarations.js';

export const WRITE_AUDIT = declareFunction({
  name: 'write-audit',
  description: 'State table stream → append-only hash-chained audit log per municipality',
  // A batch of stream records appended one by one to a hash chain (conditional writes).
  timeoutSeconds: 60,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME'],
  access: { auditTable: 'read-write' },
  // Small enough that a retried batch redoes little work.
  trigger: { kind: 'state-table-stream', batchSize: 50, retryAttempts: 10 },
});
