import { randomUUID } from 'node:crypto';
import { utcTimestamp } from '../../domain/dates.js';
import type { Client } from '../../schemas/client.js';
import { actorOf } from './actor.js';
import { NotFoundError } from './errors.js';
import type { AccessRecord, AuditPurpose, ChangeRecord } from './model.js';
import type { AccessLog } from './ports/access-log.js';

// Who may read a municipality's audit trail, and how such a read is itself recorded: the trail
// holds who did what with pupil data, so reading it is an access to be accounted for (NEN 7513).

/**
 * Admins read any trail; a municipality client the trails of its own codes. Another municipality's
 * trail is "not found", as any other tenant's resource (Invariant 5).
 */
export function assertMayReadTrail(client: Client, municipality: string): void {
  const allowed =
    client.role === 'admin' ||
    (client.role === 'municipality' && client.scope.municipalities?.includes(municipality));
  if (!allowed) throw new NotFoundError();
}

/** The access record of one read of a municipality's trail (objectType `audit-trail`, id: the code). */
export function trailReadRecord(read: {
  id: string;
  municipality: string;
  client: Client;
  user: string | undefined;
  at: Date;
  eventType: Extract<ChangeRecord['eventType'], `audit-trail.${string}`>;
  purpose: AuditPurpose;
  details: NonNullable<ChangeRecord['details']>;
  pupilPseudonym?: string;
}): AccessRecord {
  return {
    id: read.id,
    municipality: read.municipality,
    objectType: 'audit-trail',
    objectId: read.municipality,
    ...(read.pupilPseudonym ? { pupilPseudonym: read.pupilPseudonym } : {}),
    change: {
      eventType: read.eventType,
      at: utcTimestamp(read.at),
      actor: actorOf(read.client, read.user),
      purpose: read.purpose,
      details: read.details,
    },
  };
}

/** Records one read of a municipality's trail, before what was read is handed out. */
export async function recordTrailRead(
  deps: { access: AccessLog; now: () => Date; newId?: (() => string) | undefined },
  read: Omit<Parameters<typeof trailReadRecord>[0], 'id' | 'at'>,
): Promise<void> {
  await deps.access.recordRead(
    trailReadRecord({ ...read, id: (deps.newId ?? randomUUID)(), at: deps.now() }),
  );
}
