import { describe, expect, it } from 'vitest';
import { CLIENT_ROLES, type ClientRole } from '../../../domain/vocabulary.js';
import { OPERATIONS, type RegisteredOperation } from '../../../functions/registry.js';
import { ProblemSchema } from '../../../schemas/problem.js';
import {
  type Answer,
  baseRequest,
  type HostileRequest,
  queryShapeOf,
  roleQueryOf,
  send,
} from '../../hostile/requests.js';
import { effectsOf, markersOf, seededHub, TENANTS } from '../../hostile/world.js';

// Who may do what to whose data, for every declared operation × every role × {own tenant,
// another tenant}, on one hub seeded with tenants A and B. The request is always aimed at
// tenant A's data; the caller is A's own client of the role or B's. Where a role may leave out
// the query parameter that names whose data it reads (a school its location, a municipality with
// one code its municipality), both requests are cells: without it B sees only B's data, naming
// A's it gets the 404 of an unknown one. The matrix fails when isolation breaks (B reads A's
// signal) and when legitimate access breaks (A cannot).

type Whose = 'own tenant' | 'another tenant';
type Expected = { status: number; kind: 'forbidden' | 'not-found' | 'success' };

/** How a request names the tenant whose data it touches (`body-lookup`: a body field it reads by). */
type Selector = 'path' | 'query' | 'body' | 'body-lookup' | 'none';

/**
 * Query parameters by which a caller of each role picks whose data it reads: one of its own, or
 * another tenant's (a 404). A municipality's `schoolLocation` only narrows its own search.
 */
const TENANT_QUERY_KEYS: Readonly<Record<ClientRole, readonly string[]>> = {
  school: ['schoolLocation'],
  provider: [],
  municipality: ['municipality'],
  admin: ['municipality'],
};

const operationNamed = (operationId: string) =>
  OPERATIONS.find((o) => o.operationId === operationId) as RegisteredOperation;

/** What names the tenant in the request a caller of `role` sends. */
function selectorOf(
  op: RegisteredOperation,
  role: ClientRole | undefined,
  request: HostileRequest,
): Selector {
  if (request.path) return 'path';
  const keys = role ? TENANT_QUERY_KEYS[role] : [];
  if (Object.keys(request.query ?? {}).some((k) => keys.includes(k))) return 'query';
  const variant = op.spec.body ? baseRequest(op, TENANTS.a).variant : undefined;
  if (variant?.tenantLookup) return 'body-lookup';
  if (variant?.tenantField) return 'body';
  return 'none';
}

/**
 * The tenant query parameters a role may leave out, each sent or not: both must hold (a school
 * of another tenant naming no location sees its own signals; naming A's, it gets a 404). Those
 * the role must send are always sent (requests.ts).
 */
function namingChoices(op: RegisteredOperation, role: ClientRole): (readonly string[])[] {
  const shape = queryShapeOf(op);
  const { requires, refuses } = roleQueryOf(op.operationId, role);
  const optional = TENANT_QUERY_KEYS[role].filter(
    (k) => shape[k]?.required === false && !requires.includes(k) && !refuses.includes(k),
  );
  return [[], ...optional.map((k) => [k])];
}

function successOf(op: RegisteredOperation): number {
  const statuses = Object.keys(op.spec.responses).map(Number);
  const success = statuses.find((s) => s >= 200 && s < 300);
  if (success === undefined) throw new Error(`${op.operationId} declares no 2xx response`);
  return success;
}

/**
 * The contract: a role the operation is not for is 403; an admin has no tenant and reads any
 * trail; another tenant's resource is 404 like an unknown id — except the school location a
 * school submits for, which is a 403 (README "Status codes"); otherwise the declared 2xx.
 */
function expectedFor(op: RegisteredOperation, role: ClientRole, whose: Whose, selector: Selector): Expected {
  const { roles } = op.spec;
  const success: Expected = { status: successOf(op), kind: 'success' };
  if (roles !== 'public' && !roles.includes(role)) return { status: 403, kind: 'forbidden' };
  if (whose === 'own tenant' || role === 'admin') return success;
  if (selector === 'path' || selector === 'query' || selector === 'body-lookup')
    return { status: 404, kind: 'not-found' };
  if (selector === 'body') return { status: 403, kind: 'forbidden' };
  return success;
}

interface Cell {
  operationId: string;
  role: ClientRole | 'anyone';
  whose: Whose;
  /** Optional tenant query parameters the request sends besides those it must. */
  naming: readonly string[];
  /** For the test name: `school of another tenant`, `anyone without an API key`. */
  caller: string;
  selector: Selector;
  expected: Expected;
}

function requestFor(cell: Pick<Cell, 'operationId' | 'role' | 'whose' | 'naming'>): HostileRequest {
  const op = operationNamed(cell.operationId);
  const caller = cell.whose === 'own tenant' ? TENANTS.a : TENANTS.b;
  const client = cell.role === 'anyone' ? undefined : caller.clients[cell.role];
  return baseRequest(op, TENANTS.a, { client, optionalQuery: cell.naming }).request;
}

const CELLS: Cell[] = OPERATIONS.flatMap((op): Cell[] => {
  if (op.spec.roles === 'public') {
    return [
      {
        operationId: op.operationId,
        role: 'anyone',
        whose: 'own tenant',
        naming: [],
        caller: 'anyone without an API key',
        selector: 'none',
        expected: { status: successOf(op), kind: 'success' },
      },
    ];
  }
  const { roles } = op.spec;
  return CLIENT_ROLES.flatMap((role) =>
    (roles.includes(role) ? namingChoices(op, role) : [[]]).flatMap((naming) =>
      (['own tenant', 'another tenant'] as const).map((whose): Cell => {
        const selector = selectorOf(
          op,
          role,
          requestFor({ operationId: op.operationId, role, whose, naming }),
        );
        return {
          operationId: op.operationId,
          role,
          whose,
          naming,
          caller: `${role} of ${whose}${naming.length ? ` naming ${naming.join(', ')}` : ''}`,
          selector,
          expected: expectedFor(op, role, whose, selector),
        };
      }),
    ),
  );
});

/** The same request aimed at data no tenant has: an unknown id, a municipality without a trail. */
function aimedAtNobody(r: HostileRequest): HostileRequest {
  const op = operationNamed(r.operationId);
  const lookup = op.spec.body ? baseRequest(op, TENANTS.a).variant?.tenantLookup : undefined;
  const nobody: Record<string, string> = { municipality: '0599', schoolLocation: '56EF00' };
  return {
    ...r,
    path: r.path && { ...r.path, id: 'cccccccc-0000-4000-8000-000000000099' },
    query:
      r.query &&
      Object.fromEntries(
        Object.entries(r.query).map(([k, v]) => [k, Object.hasOwn(nobody, k) ? (nobody[k] as string) : v]),
      ),
    body:
      lookup && r.body.kind === 'json'
        ? { kind: 'json', value: { ...(r.body.value as Record<string, unknown>), [lookup]: '0599' } }
        : r.body,
  };
}

/** What only tenant A's data names (its ids, school location, team): none may reach another tenant. */
const TENANT_A_MARKERS = markersOf(TENANTS.a);
const mentionsTenantA = (answer: Answer) => TENANT_A_MARKERS.filter((m) => answer.text.includes(m));

/** Cells where another tenant's client is answered with data: it must be its own. */
const SHOWN_OWN_DATA = CELLS.filter(
  (c) => c.whose === 'another tenant' && c.expected.kind === 'success' && c.role !== 'admin',
);

describe('tenant matrix', () => {
  it('has a cell for every operation, role and tenant, and cells of every kind', () => {
    const kinds = new Set(CELLS.map((c) => `${c.expected.kind} ${c.expected.status}`));

    expect(new Set(CELLS.map((c) => c.operationId))).toEqual(new Set(OPERATIONS.map((o) => o.operationId)));
    expect(kinds).toEqual(
      new Set(['success 200', 'success 202', 'success 207', 'forbidden 403', 'not-found 404']),
    );
  });

  it.each(CELLS)('$operationId as $caller answers $expected.status', async (cell) => {
    const hub = await seededHub();
    const request = requestFor(cell);
    const before = effectsOf(hub);

    const answer = await send(hub, request);

    expect(answer.status, answer.text).toBe(cell.expected.status);
    if (cell.expected.kind === 'success') {
      if (cell.whose === 'another tenant' && cell.role !== 'admin')
        expect(mentionsTenantA(answer)).toEqual([]);
      return;
    }
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(ProblemSchema.parse(answer.json).status).toBe(cell.expected.status);
    const after = effectsOf(hub);
    expect(after.stateWrites).toBe(before.stateWrites);
    expect(after.accessRecords).toBe(before.accessRecords);
    expect(after.teamMessages).toBe(before.teamMessages);
    expect(after.intakeMessages).toBe(before.intakeMessages);
    if (cell.expected.kind === 'not-found') {
      // Identical to an unknown id, so another tenant's ids cannot be probed.
      const unknown = await send(await seededHub(), aimedAtNobody(request));
      expect(answer.json).toEqual(unknown.json);
      expect(answer.headers).toEqual(unknown.headers);
    }
  });

  it.each(SHOWN_OWN_DATA)(
    'shows $operationId to its own tenant as $role with its data, as $caller is shown its own (so the no-leak check above can fail)',
    async (cell) => {
      const hub = await seededHub();
      const request = requestFor({ ...cell, whose: 'own tenant' });

      const answer = await send(hub, request);

      expect(answer.status, answer.text).toBe(cell.expected.status);
      expect(mentionsTenantA(answer)).not.toEqual([]);
    },
  );
});
