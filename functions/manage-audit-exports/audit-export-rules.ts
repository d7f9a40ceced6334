import type { Client } from '../../schemas/client.js';
import type { InvalidParam } from '../../schemas/problem.js';

/** How long a download link works; a new GET issues a new one. */
export const DOWNLOAD_URL_SECONDS = 15 * 60;

/** A municipality code outside a municipality client's scope: a 403 naming the field. */
export function municipalityScopeProblems(body: unknown, client: Client | undefined): InvalidParam[] {
  if (!client || client.role === 'admin') return [];
  const municipality =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).municipality : undefined;
  // Only a well-formed code can be someone else's; a malformed one is the schema's to name.
  if (typeof municipality !== 'string' || !/^\d{4}$/.test(municipality)) return [];
  if (client.role === 'municipality' && client.scope.municipalities?.includes(municipality)) return [];
  return [{ name: 'municipality', reason: 'is not a municipality of this client' }];
}
