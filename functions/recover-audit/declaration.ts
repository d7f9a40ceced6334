import { declareFunction } from '../shared/declarations.js';

export const RECOVER_AUDIT = declareFunction({
  name: 'recover-audit',
  description: 'Audit recovery queue → the stream batches write-audit gave up on, appended late',
  // Re-reads up to a batch of stream records (seconds), or, past the stream's retention, scans the
  // whole state table in parallel segments: five minutes leave room for a large table.
  timeoutSeconds: 300,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME', 'STATE_TABLE_NAME'],
  access: { auditTable: 'read-write', stateTable: 'read', stateTableStream: 'read' },
  // One failed batch per invocation: each is retried on its own through the queue's visibility.
  trigger: { kind: 'audit-recovery-queue', batchSize: 1, maxConcurrency: 2 },
});
