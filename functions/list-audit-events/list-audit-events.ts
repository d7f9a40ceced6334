import type { Client } from '../../schemas/client.js';
import { assertMayReadTrail, recordTrailRead } from '../shared/audit-trail-access.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { AccessLog } from '../shared/ports/access-log.js';
import type { AuditLog, AuditPage } from '../shared/ports/audit-log.js';

export interface AuditQuery {
  municipality: string;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ListAuditEventsDeps {
  audit: AuditLog;
  access: AccessLog;
  now: () => Date;
  newId?: () => string;
}

/**
 * A municipality reads its own audit trail (the chain of the municipality where the pupils
 * live). Another municipality's trail is "not found", as any other tenant's resource. Each call
 * is recorded as one read of the trail before the page is returned (NEN 7513: reading the log of
 * accesses is an access too); the events it lists are not recorded one by one.
 */
export async function listAuditEvents(
  deps: ListAuditEventsDeps,
  input: { client: Client; user?: string | undefined; query: AuditQuery },
): Promise<AuditPage> {
  const { municipality, limit, cursor } = input.query;
  assertMayReadTrail(input.client, municipality);
  // Stored times are UTC; a bound given with another offset is compared as the same instant.
  const from = input.query.from && new Date(input.query.from).toISOString();
  const to = input.query.to && new Date(input.query.to).toISOString();
  const page = await deps.audit.list({ municipality, from, to, limit, cursor });
  await recordTrailRead(deps, {
    municipality,
    client: input.client,
    user: input.user,
    eventType: 'audit-trail.read',
    purpose: 'accountability',
    details: { ...(from ? { from } : {}), ...(to ? { to } : {}), count: page.items.length },
  });
  logEvent(LOG_EVENTS.auditTrailRead, { municipality, count: page.items.length });
  return page;
}
