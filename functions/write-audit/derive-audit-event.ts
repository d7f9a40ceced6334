import type { AuditEventType } from '../../schemas/audit-event.js';
import type { AccessRecord, ChangeRecord, StoredReferral, StoredSignal } from '../shared/model.js';
import type { AuditEntryDraft } from '../shared/ports/audit-log.js';

// Turns one change of the state table (as its stream reports it) into the audit event for it.
// Pure: what goes into the audit is decided here and nowhere else, and it never copies the
// submission, the pupil block or a free-text reason out of the item.

export interface StateChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  newItem?: Record<string, unknown>;
  oldItem?: Record<string, unknown>;
}

export type Derivation = { kind: 'audit'; draft: AuditEntryDraft } | { kind: 'ignore'; reason: string };

const PURPOSE = 'youth-care-access';

const ACTION_OF: Record<AuditEventType, AuditEntryDraft['action']> = {
  'signal.received': 'C',
  'signal.routed': 'U',
  'signal.unroutable': 'U',
  'signal.withdrawn': 'U',
  'signal.read': 'R',
  'referral.queued': 'C',
  'referral.delivered': 'U',
  'referral.accepted': 'U',
  'referral.started': 'U',
  'referral.closed': 'U',
  'referral.rejected': 'U',
  'referral.withdrawn': 'U',
  'referral.read': 'R',
  'audit-trail.read': 'R',
  'audit-trail.subject-access': 'R',
  'audit-trail.retention-applied': 'D',
  'audit-export.requested': 'E',
  'audit-export.downloaded': 'R',
  'signal.purged': 'D',
  'referral.purged': 'D',
  'signal.assigned': 'U',
  'referral.overdue': 'U',
};

function draftFrom(
  id: string,
  municipality: string,
  change: ChangeRecord,
  object: AuditEntryDraft['object'],
): AuditEntryDraft {
  return {
    id,
    municipality,
    occurredAt: change.at,
    action: ACTION_OF[change.eventType],
    eventType: change.eventType,
    outcome: 'success',
    actor: change.actor,
    ...(change.onBehalfOf ? { onBehalfOf: change.onBehalfOf } : {}),
    object,
    purpose: change.purpose ?? PURPOSE,
    ...(change.details ? { details: change.details } : {}),
  };
}

export function deriveAuditEvent(change: StateChange): Derivation {
  if (change.eventName === 'REMOVE') {
    // Read records expire by TTL once appended; nothing else is ever deleted.
    return { kind: 'ignore', reason: 'remove' };
  }
  const item = change.newItem;
  const entity = item?.entity;
  if (!item || typeof item.pk !== 'string') return { kind: 'ignore', reason: 'no-image' };

  if (entity === 'signal' || entity === 'referral') {
    const record = item as unknown as (StoredSignal | StoredReferral) & { lastChange?: ChangeRecord };
    const version = Number(item.version);
    const oldVersion = change.oldItem ? Number(change.oldItem.version) : undefined;
    if (!record.lastChange || !Number.isInteger(version))
      return { kind: 'ignore', reason: 'no-change-record' };
    if (oldVersion === version) return { kind: 'ignore', reason: 'unversioned-change' };
    // The item key and version identify the change, so a stream record delivered twice (or
    // replayed after a failure) yields the same audit id and is appended once.
    const id = `${item.pk}#v${version}`;
    const signalId = entity === 'signal' ? record.id : (record as StoredReferral).signalId;
    return {
      kind: 'audit',
      draft: draftFrom(id, record.municipality, record.lastChange, {
        type: entity,
        id: record.id,
        signalId,
        ...(record.pupilPseudonym ? { pupilPseudonym: record.pupilPseudonym } : {}),
        version,
      }),
    };
  }

  if (entity === 'access') {
    if (change.eventName !== 'INSERT') return { kind: 'ignore', reason: 'access-modified' };
    const access = item as unknown as AccessRecord;
    return {
      kind: 'audit',
      draft: draftFrom(`${item.pk}`, access.municipality, access.change, {
        type: access.objectType,
        id: access.objectId,
        ...(access.signalId ? { signalId: access.signalId } : {}),
        ...(access.pupilPseudonym ? { pupilPseudonym: access.pupilPseudonym } : {}),
        ...(Number.isInteger(access.objectVersion) ? { version: access.objectVersion } : {}),
      }),
    };
  }

  return { kind: 'ignore', reason: `entity-${String(entity)}` };
}
