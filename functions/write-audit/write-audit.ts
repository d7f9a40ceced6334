import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { AuditLog } from '../shared/ports/audit-log.js';
import { deriveAuditEvent, type StateChange } from './derive-audit-event.js';

export interface WriteAuditDeps {
  audit: AuditLog;
}

/** Appends the audit event for one state change; throws (→ stream retry) if the append fails. */
export async function writeAudit(deps: WriteAuditDeps, change: StateChange): Promise<void> {
  const derived = deriveAuditEvent(change);
  if (derived.kind === 'ignore') {
    logEvent(LOG_EVENTS.auditRecordIgnored, { reason: derived.reason });
    return;
  }
  const outcome = await deps.audit.append(derived.draft);
  logEvent(outcome === 'appended' ? LOG_EVENTS.auditAppended : LOG_EVENTS.auditDuplicateSkipped, {
    auditId: derived.draft.id,
    municipality: derived.draft.municipality,
    eventType: derived.draft.eventType,
  });
}
