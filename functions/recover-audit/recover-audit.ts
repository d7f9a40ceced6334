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
  // Lambda names an age-based discard `RecordAgeExceeded`; emulators have said `MaximumRecordAgeExceeded`.
  const reason: AuditRecovery['reason'] = /RecordAge/i.test(failure.requestContext.condition)
    ? 'record-age-exceeded'
    : 'retries-exhausted';
  const read = await deps.stream.read(info);
  const fromStream = read.kind === 'trimmed' ? [] : read.changes;
  const appended = await writeAudit({ audit: deps.audit }, fromStream, {
    recovery: { method: 'stream', reason },
  });
  if (appended.firstFailed !== undefined) {
    // The message comes back after its visibility timeout; what was appended is not appended again.
    throw new RecoveryIncompleteError(`recovery of ${info.shardId} stopped at ${appended.firstFailed}`);
  }
  let result = appended;
  let method: AuditRecovery['method'] = 'stream';
  if (read.kind !== 'records') {
    // Part or all of the batch is past the stream's retention: only current versions are left.
    method = 'current-version';
    const from = new Date(Date.parse(info.approximateArrivalOfFirstRecord) - WINDOW_MARGIN_MS).toISOString();
    const to = new Date(Date.parse(info.approximateArrivalOfLastRecord) + WINDOW_MARGIN_MS).toISOString();
    const found = await deps.items.changedBetween(from, to);
    const current = await writeAudit(
      { audit: deps.audit },
      found.map((change, i) => ({ key: String(i), change })),
      { recovery: { method, reason } },
    );
    if (current.firstFailed !== undefined) {
      throw new RecoveryIncompleteError(`recovery of ${info.shardId} from the state table stopped`);
    }
    result = {
      appended: appended.appended + current.appended,
      duplicates: appended.duplicates + current.duplicates,
      ignored: appended.ignored + current.ignored,
    };
  }
  const outcome = { method, recovered: result.appended, alreadyAudited: result.duplicates };
  // The alarm metrics count these lines: every recovered batch is an incident, one whose changes
  // were all in the audit already included; `current-version` means versions were lost.
  logEvent(
    LOG_EVENTS.auditRecoveredLate,
    { ...outcome, reason, shardId: info.shardId, batchSize: info.batchSize },
    'warn',
  );
  return outcome;
}
