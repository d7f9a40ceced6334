import type { Client } from '../../schemas/client.js';
import type { InvalidParam } from '../../schemas/problem.js';
import { NotFoundError } from './errors.js';

// Which municipality or school location a list is about, from the caller's scope and the query:
// one of its own (a client with one needs not name it), another one is a 404 like an unknown
// resource, and an admin names the one it means.

/** The municipality a municipality or admin client asks about; a problem is added when it must name one. */
export function ownMunicipality(
  client: Client,
  requested: string | undefined,
  problems: InvalidParam[],
): string | undefined {
  const own = client.role === 'municipality' ? (client.scope.municipalities ?? []) : undefined;
  if (requested !== undefined) {
    if (own && !own.includes(requested)) throw new NotFoundError();
    return requested;
  }
  if (own?.length === 1) return own[0];
  problems.push({
    name: 'municipality',
    reason: own ? `give one of this client’s municipalities: ${own.join(', ')}` : 'is required',
  });
  return undefined;
}

/** The school location a school client asks about; a problem is added when it must name one. */
export function ownSchoolLocation(
  client: Client,
  requested: string | undefined,
  problems: InvalidParam[],
): string | undefined {
  const own = client.scope.schoolLocations ?? [];
  if (requested !== undefined) {
    if (!own.includes(requested)) throw new NotFoundError();
    return requested;
  }
  if (own.length === 1) return own[0];
  problems.push({
    name: 'schoolLocation',
    reason: `give one of this client’s school locations: ${own.join(', ')}`,
  });
  return undefined;
}
