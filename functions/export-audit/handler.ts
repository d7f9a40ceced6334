import { AuditExportMessageSchema } from '../../schemas/audit-export.js';
import { sqsMessageHandler } from '../shared/sqs-handler.js';
import { type ExportAuditDeps, exportAudit } from './export-audit.js';

/**
 * Each message asks for one export to be started or continued. One that fails comes back after the
 * queue's visibility timeout and continues from the job's last part; the job itself is given up
 * after a few failures, and the message after the queue's maxReceiveCount (its dead-letter queue).
 */
export const makeHandler = (deps: ExportAuditDeps) =>
  sqsMessageHandler((body, context) =>
    exportAudit(deps, AuditExportMessageSchema.parse(body), {
      id: context.awsRequestId,
      remainingMs: () => context.getRemainingTimeInMillis(),
    }),
  );
