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

/** Most exports one client may have pending or running at once; a repeated request joins its job. */
export const MAX_ACTIVE_EXPORTS = 3;
/** A job not updated for this long no longer counts as under way (it is stuck, not busy). */
export const ACTIVE_EXPORT_WINDOW_MS = 2 * 60 * 60_000;

/** A period that starts in the future has nothing in it yet: a 400 naming `from`. */
export function periodProblems(body: unknown, now: Date): InvalidParam[] {
  const from = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).from : undefined;
  if (typeof from !== 'string') return [];
  const at = Date.parse(from);
  if (Number.isNaN(at) || at <= now.getTime()) return [];
  return [{ name: 'from', reason: 'must not be in the future' }];
}
