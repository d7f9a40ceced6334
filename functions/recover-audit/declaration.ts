import { declareFunction } from '../shared/declarations.js';

export const RECOVER_AUDIT = declareFunction({
  name: 'recover-audit',
  description: 'Audit recovery queue → the stream batches write-audit gave up on, appended late',
  // Re-reads up to a batch of stream records (or, past the stream's retention, scans the state
  // table) and appends them: minutes at most, far from Lambda's limit.
  timeoutSeconds: 120,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME', 'STATE_TABLE_NAME'],
  access: { auditTable: 'read-write', stateTable: 'read', stateTableStream: 'read' },
  // One failed batch per invocation: each is retried on its own through the queue's visibility.
  trigger: { kind: 'audit-recovery-queue', batchSize: 1, maxConcurrency: 2 },
});
