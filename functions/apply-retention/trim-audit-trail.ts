import { utcTimestamp } from '../../domain/dates.js';
import { lastRemovableAuditYear } from '../../domain/retention.js';
import { settleBounded } from '../shared/concurrency.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { AuditEntryDraft, AuditLog } from '../shared/ports/audit-log.js';
import type { AuditRetention } from '../shared/ports/audit-retention.js';
import { RETENTION_ACTOR } from './purge-pupil-data.js';

export interface TrimAuditTrailDeps {
  audit: AuditLog;
  auditRetention: AuditRetention;
  auditYears: number;
  now: () => Date;
}

/** Chains trimmed at once; each removes its years one after the other. */
const CHAINS_AT_ONCE = 4;

export interface TrimSummary {
  chains: number;
  /** Calendar years removed from a chain in this run (a chain's several years count each). */
  yearsRemoved: number;
  entriesRemoved: number;
  failed: number;
  /** Chains left part way because the time ran out; the next run finishes them. */
  deferred: number;
}

/** The retention event's id: one per chain and year, so a repeated run appends it once. */
export const retentionEventId = (municipality: string, year: number) => `RETENTION#${municipality}#${year}`;

/**
 * Removes one chain's calendar years that are past the audit retention, oldest first. Per year:
 * (1) the chain records the removal — an `audit-trail.retention-applied` event naming the last
 * removed entry's sequence and hash — (2) the checkpoint says the same, (3) the year's entries
 * and their markers are deleted. The event and the checkpoint come first, so a run that stops
 * anywhere leaves a chain that verifies from the checkpoint; the next run deletes the rest.
 */
export async function trimChain(
  deps: TrimAuditTrailDeps,
  municipality: string,
  shouldStop: () => boolean,
): Promise<{ years: number; entries: number; complete: boolean }> {
  const lastYear = lastRemovableAuditYear(deps.now(), deps.auditYears);
  const done = { years: 0, entries: 0 };
  const checkpoint = await deps.auditRetention.readCheckpoint(municipality);
  if (checkpoint) {
    // A year whose removal was interrupted: its checkpoint is written, some entries remain.
    const rest = await deps.auditRetention.removeThrough(municipality, checkpoint.lastSequence, shouldStop);
    done.entries += rest.removed;
    if (!rest.complete) return { ...done, complete: false };
  }
  for (;;) {
    if (shouldStop()) return { ...done, complete: false };
    const oldest = await deps.auditRetention.oldestYear(municipality);
    if (!oldest || oldest.year > lastYear) return { ...done, complete: true };
    const record = {
      removedThroughYear: oldest.year,
      lastSequence: oldest.lastSequence,
      lastHash: oldest.lastHash,
    };
    const draft: AuditEntryDraft = {
      id: retentionEventId(municipality, oldest.year),
      municipality,
      occurredAt: utcTimestamp(deps.now()),
      action: 'D',
      eventType: 'audit-trail.retention-applied',
      outcome: 'success',
      actor: RETENTION_ACTOR,
      object: { type: 'audit-trail', id: municipality },
      purpose: 'retention',
      details: { ...record, removedCount: oldest.count },
    };
    await deps.audit.append(municipality, [draft]);
    await deps.auditRetention.writeCheckpoint(municipality, record);
    const removal = await deps.auditRetention.removeThrough(municipality, oldest.lastSequence, shouldStop);
    done.entries += removal.removed;
    if (!removal.complete) return { ...done, complete: false };
    done.years += 1;
    logEvent(LOG_EVENTS.auditTrailTrimmed, {
      municipality,
      removedThroughYear: oldest.year,
      removedCount: oldest.count,
    });
  }
}

/** Trims every chain that has years past the audit retention, until `shouldStop()`. */
export async function trimAuditTrail(
  deps: TrimAuditTrailDeps,
  shouldStop: () => boolean,
): Promise<TrimSummary> {
  const chains = await deps.auditRetention.listChains();
  const summary: TrimSummary = {
    chains: chains.length,
    yearsRemoved: 0,
    entriesRemoved: 0,
    failed: 0,
    deferred: 0,
  };
  const results = await settleBounded(chains, CHAINS_AT_ONCE, async (municipality) =>
    shouldStop() ? undefined : trimChain(deps, municipality, shouldStop),
  );
  for (const [index, result] of results.entries()) {
    if (result.status === 'rejected') {
      summary.failed += 1;
      logEvent(
        LOG_EVENTS.retentionItemFailed,
        { kind: 'audit-chain', municipality: chains[index], errorName: (result.reason as Error).name },
        'error',
      );
    } else if (!result.value?.complete) {
      summary.deferred += 1;
      summary.yearsRemoved += result.value?.years ?? 0;
      summary.entriesRemoved += result.value?.entries ?? 0;
    } else {
      summary.yearsRemoved += result.value.years;
      summary.entriesRemoved += result.value.entries;
    }
  }
  return summary;
}
