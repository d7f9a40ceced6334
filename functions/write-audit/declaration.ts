import { declareFunction } from '../shared/declarations.js';

export const WRITE_AUDIT = declareFunction({
  name: 'write-audit',
  description: 'State table stream → append-only hash-chained audit log per municipality',
  // A batch of stream records appended per municipality, 49 to a transaction (conditional writes).
  timeoutSeconds: 60,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME'],
  access: { auditTable: 'read-write' },
  // Retried until it succeeds or the record is six hours old, then recovered from the on-failure
  // queue while the stream (24 h) still holds it: see "The audit never loses a change" in the README.
  trigger: { kind: 'state-table-stream', batchSize: 100, retryAttempts: -1, maxRecordAgeSeconds: 6 * 3600 },
});
