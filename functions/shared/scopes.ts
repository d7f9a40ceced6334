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

// An object type (interface or record) whose keys are the query parameters.
type Query = object;
const given = (query: Query, key: string) => (query as Record<string, unknown>)[key] !== undefined;

/** A municipality or admin client that must say which municipality it means. */
function municipalityNeeded(client: Client | undefined, query: Query): InvalidParam[] {
  if (!client || given(query, 'municipality')) return [];
  if (client.role === 'admin') return [{ name: 'municipality', reason: 'is required' }];
  const own = client.role === 'municipality' ? (client.scope.municipalities ?? []) : [];
  return client.role === 'municipality' && own.length !== 1
    ? [{ name: 'municipality', reason: `give one of this client’s municipalities: ${own.join(', ')}` }]
    : [];
}

/** GET /v1/signals: what each role must and must not send. */
export function signalSearchQueryProblems(client: Client | undefined, query: Query): InvalidParam[] {
  if (!client) return [];
  if (client.role === 'school') {
    const own = client.scope.schoolLocations ?? [];
    return [
      ...(given(query, 'municipality')
        ? [
            {
              name: 'municipality',
              reason: 'is for a municipality’s search; a school searches its own location',
            },
          ]
        : []),
      ...(given(query, 'sourceId') && given(query, 'cursor')
        ? [{ name: 'cursor', reason: 'is for paging a search; a sourceId finds at most one signal' }]
        : []),
      ...(!given(query, 'schoolLocation') && !given(query, 'sourceId') && own.length !== 1
        ? [
            {
              name: 'schoolLocation',
              reason: `give one of this client’s school locations: ${own.join(', ')}`,
            },
          ]
        : []),
    ];
  }
  return [
    ...(given(query, 'sourceId')
      ? [{ name: 'sourceId', reason: 'is the school’s own id; only a school searches by it' }]
      : []),
    ...municipalityNeeded(client, query),
  ];
}

/** GET /v1/referrals: a team lists its own; a municipality its overdue ones. */
export function referralListQueryProblems(client: Client | undefined, query: Query): InvalidParam[] {
  if (client?.role === 'municipality') {
    return [
      ...(String((query as Record<string, unknown>).overdue) === 'true'
        ? []
        : [
            {
              name: 'overdue',
              reason: 'a municipality lists the overdue referrals of its pupils: give overdue=true',
            },
          ]),
      ...(given(query, 'status')
        ? [{ name: 'status', reason: 'is for a team’s own list; a municipality lists overdue referrals' }]
        : []),
      ...municipalityNeeded(client, query),
    ];
  }
  return given(query, 'municipality')
    ? [{ name: 'municipality', reason: 'is for a municipality’s list' }]
    : [];
}

/** GET /v1/lead-times: a municipality or admin names the municipality unless it has only one. */
export function leadTimeQueryProblems(client: Client | undefined, query: Query): InvalidParam[] {
  return municipalityNeeded(client, query);
}
