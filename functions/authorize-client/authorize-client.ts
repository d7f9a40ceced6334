import type { Client } from '../../schemas/client.js';
import type { ClientDirectory } from '../shared/ports/client-directory.js';

// RFC 9110 §11.1: the auth scheme name is case-insensitive.
const BEARER = /^bearer ([A-Za-z0-9._~+/=-]{16,256})$/i;

/** The client behind an `Authorization: Bearer <apiKey>` header, or undefined. */
export async function authorizeClient(
  deps: { clients: ClientDirectory },
  authorization: string | undefined,
): Promise<Client | undefined> {
  const match = authorization ? BEARER.exec(authorization.trim()) : null;
  if (!match?.[1]) return undefined;
  return deps.clients.findByApiKey(match[1]);
}
