import { AuditQuerySchema } from '../../schemas/audit-event.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { Client } from '../shared/http/client-context.js';
import { parseWith } from '../shared/http/invalid-params.js';
import type { AuditLog, AuditPage } from '../shared/ports/audit-log.js';
import { InvalidCursorError } from '../shared/ports/referral-store.js';

/**
 * A municipality reads its own audit trail (the chain of the municipality where the pupils
 * live). Another municipality's trail is "not found", as any other tenant's resource.
 */
export async function listAuditEvents(
  deps: { audit: AuditLog },
  input: { client: Client; query: Record<string, string | undefined> },
): Promise<AuditPage> {
  const parsed = parseWith(AuditQuerySchema, input.query);
  if (!parsed.ok) throw new ValidationError(parsed.invalidParams);
  const { municipality, from, to, limit, cursor } = parsed.value;
  // Compared as instants: '10:00+01:00' is before '09:30Z', whatever the strings say.
  if (from && to && Date.parse(from) >= Date.parse(to)) {
    throw new ValidationError([{ name: 'to', reason: 'must be later than from' }]);
  }
  const { client } = input;
  const allowed =
    client.role === 'admin' ||
    (client.role === 'municipality' && client.scope.municipalities?.includes(municipality));
  if (!allowed) throw new NotFoundError();
  try {
    return await deps.audit.list({
      municipality,
      from: from && new Date(from).toISOString(),
      to: to && new Date(to).toISOString(),
      limit,
      cursor,
    });
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new ValidationError([{ name: 'cursor', reason: error.message }]);
    throw error;
  }
}
