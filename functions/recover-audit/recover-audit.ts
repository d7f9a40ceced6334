import type { AuditRecovery } from '../../schemas/audit-event.js';
import type { StreamBatchFailure } from '../../schemas/stream-failure.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { AuditLog } from '../shared/ports/audit-log.js';
import type { ChangedItems, ChangeStream } from '../shared/ports/change-history.js';
import { writeAudit } from '../write-audit/write-audit.js';

export interface RecoverAuditDeps {
  audit: AuditLog;
  stream: ChangeStream;
  items: ChangedItems;
}

export interface RecoveryResult {
  method: AuditRecovery['method'];
  recovered: number;
  alreadyAudited: number;
}

/**
 * How far around the batch's arrival times an item's own timestamp may lie: the item is stamped
 * by the function that wrote it, the stream record by DynamoDB, a moment later.
 */
const WINDOW_MARGIN_MS = 5 * 60_000;

export class RecoveryIncompleteError extends Error {
  override name = 'RecoveryIncompleteError';
}

/**
 * Appends the changes of a stream batch that the audit writer gave up on. They are re-read from
 * the stream while it still holds them (24 hours): every change, each marked as recovered late.
 * Past that, only the current version of each item changed in the batch's period can be found in
 * the state table; it is appended, and the versions before it that the audit lacks show as a gap
 * to every verifier — a loss made visible, never hidden. Changes already in the audit are
 * recognised by their id and left alone, so a message handled twice appends nothing twice.
 */
export async function recoverAudit(
  deps: RecoverAuditDeps,
  failure: StreamBatchFailure,
): Promise<RecoveryResult> {
  const info = failure.DDBStreamBatchInfo;
  const reason: AuditRecovery['reason'] =
    failure.requestContext.condition === 'RecordAgeExceeded' ? 'record-age-exceeded' : 'retries-exhausted';
  const read = await deps.stream.read(info);
  let method: AuditRecovery['method'] = 'stream';
  let changes = read.kind === 'records' ? read.changes : [];
  if (read.kind === 'trimmed') {
    method = 'current-version';
    const from = new Date(Date.parse(info.approximateArrivalOfFirstRecord) - WINDOW_MARGIN_MS).toISOString();
    const to = new Date(Date.parse(info.approximateArrivalOfLastRecord) + WINDOW_MARGIN_MS).toISOString();
    const found = await deps.items.changedBetween(from, to);
    changes = found.map((change, i) => ({ key: String(i), change }));
  }
  const result = await writeAudit({ audit: deps.audit }, changes, { recovery: { method, reason } });
  if (result.firstFailed !== undefined) {
    // The message comes back after its visibility timeout; what was appended is not appended again.
    throw new RecoveryIncompleteError(`recovery of ${info.shardId} stopped at ${result.firstFailed}`);
  }
  const outcome = { method, recovered: result.appended, alreadyAudited: result.duplicates };
  // The alarm metric: any late recovery is an incident, a gap-free one included.
  logEvent(
    LOG_EVENTS.auditRecoveredLate,
    { ...outcome, reason, shardId: info.shardId, batchSize: info.batchSize },
    'warn',
  );
  return outcome;
}
