import type { Client } from '../../schemas/client.js';
import { NotFoundError } from '../shared/errors.js';
import type { AuditLog, AuditPage } from '../shared/ports/audit-log.js';

export interface AuditQuery {
  municipality: string;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/**
 * A municipality reads its own audit trail (the chain of the municipality where the pupils
 * live). Another municipality's trail is "not found", as any other tenant's resource.
 */
export async function listAuditEvents(
  deps: { audit: AuditLog },
  input: { client: Client; query: AuditQuery },
): Promise<AuditPage> {
  const { municipality, from, to, limit, cursor } = input.query;
  const { client } = input;
  const allowed =
    client.role === 'admin' ||
    (client.role === 'municipality' && client.scope.municipalities?.includes(municipality));
  if (!allowed) throw new NotFoundError();
  // Stored times are UTC; a bound given with another offset is compared as the same instant.
  return deps.audit.list({
    municipality,
    from: from && new Date(from).toISOString(),
    to: to && new Date(to).toISOString(),
    limit,
    cursor,
  });
}
