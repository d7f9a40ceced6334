import type { AuditRecovery } from '../../schemas/audit-event.js';
import { settleBounded } from '../shared/concurrency.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import { AuditAppendError, type AuditEntryDraft, type AuditLog } from '../shared/ports/audit-log.js';
import { deriveAuditEvent, type StateChange } from './derive-audit-event.js';

export interface WriteAuditDeps {
  audit: AuditLog;
}

/** A change as the stream delivered it: `key` is its place in the stream (a sequence number). */
export interface KeyedChange {
  key: string;
  change: StateChange;
}

export interface WriteAuditResult {
  /** The first change (in the order given) that is not in the audit; retry from there. */
  firstFailed?: string;
  appended: number;
  duplicates: number;
  ignored: number;
}

/** Chains of different municipalities are independent; a few are appended at once. */
const CHAINS_AT_ONCE = 4;

/**
 * Appends the audit events of a batch of changes: each municipality's events in the order given,
 * in as few transactions as the audit log needs, and the chains side by side. When a chain fails
 * part way, the earliest change not appended is reported; the caller retries from there, and
 * what was appended after it (in other chains) is recognised as a duplicate then.
 */
export async function writeAudit(
  deps: WriteAuditDeps,
  changes: readonly KeyedChange[],
  options: { recovery?: AuditRecovery } = {},
): Promise<WriteAuditResult> {
  const groups = new Map<string, { positions: number[]; drafts: AuditEntryDraft[] }>();
  let ignored = 0;
  for (const [position, { change }] of changes.entries()) {
    const derived = deriveAuditEvent(change);
    if (derived.kind === 'ignore') {
      ignored += 1;
      logEvent(LOG_EVENTS.auditRecordIgnored, { reason: derived.reason });
      continue;
    }
    const draft = options.recovery ? { ...derived.draft, recovery: options.recovery } : derived.draft;
    const group = groups.get(draft.municipality) ?? { positions: [], drafts: [] };
    group.positions.push(position);
    group.drafts.push(draft);
    groups.set(draft.municipality, group);
  }

  const result: WriteAuditResult = { appended: 0, duplicates: 0, ignored };
  let firstFailed = changes.length;
  const chains = [...groups.entries()];
  const settled = await settleBounded(chains, CHAINS_AT_ONCE, ([municipality, group]) =>
    deps.audit.append(municipality, group.drafts),
  );
  for (const [index, outcome] of settled.entries()) {
    const [municipality, group] = chains[index] as (typeof chains)[number];
    if (outcome.status === 'fulfilled') {
      result.appended += outcome.value.appended;
      result.duplicates += outcome.value.duplicates;
      logEvent(LOG_EVENTS.auditAppended, { municipality, ...outcome.value });
      continue;
    }
    const error = outcome.reason as Error;
    const done = error instanceof AuditAppendError ? error.done : 0;
    const position = group.positions[done] ?? changes.length;
    firstFailed = Math.min(firstFailed, position);
    logEvent(
      LOG_EVENTS.auditAppendFailed,
      { municipality, done, errorName: (error.cause as Error | undefined)?.name ?? error.name },
      'error',
    );
  }
  const failedKey = changes[firstFailed]?.key;
  return failedKey === undefined ? result : { ...result, firstFailed: failedKey };
}
