import type { AuditActor } from '../../schemas/audit-event.js';
import type { Client } from '../../schemas/client.js';

export function actorOf(client: Client, user: string | undefined): AuditActor {
  return {
    clientId: client.clientId,
    role: client.role,
    organisation: client.organisation,
    ...(user ? { user } : {}),
  };
}

export const SYSTEM_ACTOR: AuditActor = { clientId: 'schakel', role: 'system', organisation: 'Schakel' };
