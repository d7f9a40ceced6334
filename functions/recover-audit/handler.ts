import { StreamBatchFailureSchema } from '../../schemas/stream-failure.js';
import { sqsMessageHandler } from '../shared/sqs-handler.js';
import { type RecoverAuditDeps, recoverAudit } from './recover-audit.js';

/**
 * Each message describes one stream batch that write-audit gave up on. One that cannot be
 * recovered now comes back after the visibility timeout and, after the queue's maxReceiveCount,
 * moves to the recovery dead-letter queue, from which `npm run audit:replay` sends it back.
 */
export const makeHandler = (deps: RecoverAuditDeps) =>
  sqsMessageHandler((body) => recoverAudit(deps, StreamBatchFailureSchema.parse(body)));
