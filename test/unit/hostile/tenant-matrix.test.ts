import { describe, expect, it } from 'vitest';
import { CLIENT_ROLES, type ClientRole } from '../../../domain/vocabulary.js';
import { OPERATIONS, type RegisteredOperation } from '../../../functions/registry.js';
import { ProblemSchema } from '../../../schemas/problem.js';
import { type Answer, baseRequest, type HostileRequest, queryShapeOf, send } from '../../hostile/requests.js';
import { effectsOf, seededHub, TENANTS } from '../../hostile/world.js';

// Who may do what to whose data, for every declared operation × every role × {own tenant,
// another tenant}, on one hub seeded with tenants A and B. The request is always aimed at
// tenant A's data; the caller is A's own client of the role or B's. The matrix fails when
// isolation breaks (B reads A's signal) and when legitimate access breaks (A cannot).

type Whose = 'own tenant' | 'another tenant';
type Expected = { status: number; kind: 'forbidden' | 'not-found' | 'success' };

/** How an operation names the tenant whose data it touches (`body-lookup`: a body field it reads by). */
type Selector = 'path' | 'query' | 'body' | 'body-lookup' | 'none';

/** Query parameters that pick a tenant's data (another tenant's value is a 404). */
const TENANT_QUERY_KEYS = ['municipality'];

function selectorOf(op: RegisteredOperation): Selector {
  if (op.spec.pathParameters) return 'path';
  if (Object.keys(queryShapeOf(op)).some((k) => TENANT_QUERY_KEYS.includes(k))) return 'query';
  const variant = op.spec.body ? baseRequest(op, TENANTS.a).variant : undefined;
  if (variant?.tenantLookup) return 'body-lookup';
  if (variant?.tenantField) return 'body';
  return 'none';
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
function expectedFor(op: RegisteredOperation, role: ClientRole, whose: Whose): Expected {
  const { roles } = op.spec;
  const success: Expected = { status: successOf(op), kind: 'success' };
  if (roles !== 'public' && !roles.includes(role)) return { status: 403, kind: 'forbidden' };
  if (whose === 'own tenant' || role === 'admin') return success;
  const selector = selectorOf(op);
  if (selector === 'path' || selector === 'query' || selector === 'body-lookup')
    return { status: 404, kind: 'not-found' };
  if (selector === 'body') return { status: 403, kind: 'forbidden' };
  return success;
}

interface Cell {
  operationId: string;
  role: ClientRole | 'anyone';
  whose: Whose;
  /** For the test name: `school of another tenant`, `anyone without an API key`. */
  caller: string;
  expected: Expected;
}

const CELLS: Cell[] = OPERATIONS.flatMap((op): Cell[] => {
  if (op.spec.roles === 'public') {
    return [
      {
        operationId: op.operationId,
        role: 'anyone',
        whose: 'own tenant',
        caller: 'anyone without an API key',
        expected: { status: successOf(op), kind: 'success' },
      },
    ];
  }
  return CLIENT_ROLES.flatMap((role) =>
    (['own tenant', 'another tenant'] as const).map((whose) => ({
      operationId: op.operationId,
      role,
      whose,
      caller: `${role} of ${whose}`,
      expected: expectedFor(op, role, whose),
    })),
  );
});

function requestFor(cell: Cell): HostileRequest {
  const op = OPERATIONS.find((o) => o.operationId === cell.operationId) as RegisteredOperation;
  const caller = cell.whose === 'own tenant' ? TENANTS.a : TENANTS.b;
  const client = cell.role === 'anyone' ? undefined : caller.clients[cell.role];
  return baseRequest(op, TENANTS.a, { client }).request;
}

/** The same request aimed at data no tenant has: an unknown id, a municipality without a trail. */
function aimedAtNobody(r: HostileRequest): HostileRequest {
  const op = OPERATIONS.find((o) => o.operationId === r.operationId) as RegisteredOperation;
  const lookup = op.spec.body ? baseRequest(op, TENANTS.a).variant?.tenantLookup : undefined;
  return {
    ...r,
    path: r.path && { ...r.path, id: 'cccccccc-0000-4000-8000-000000000099' },
    query: r.query && { ...r.query, ...(r.query.municipality ? { municipality: '0599' } : {}) },
    body:
      lookup && r.body.kind === 'json'
        ? { kind: 'json', value: { ...(r.body.value as Record<string, unknown>), [lookup]: '0599' } }
        : r.body,
  };
}

/** Every id of tenant A's seeded data: none may appear in what another tenant is shown. */
const TENANT_A_IDS = [...TENANTS.a.signalIds, ...TENANTS.a.referralIds, ...TENANTS.a.exportIds];
const mentionsTenantA = (answer: Answer) => TENANT_A_IDS.filter((id) => answer.text.includes(id));

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

  it.each(
    OPERATIONS.filter((op) => op.spec.roles !== 'public' && selectorOf(op) === 'none').map(
      (op) => op.operationId,
    ),
  )('shows the own tenant its own data on %s (so the no-leak check above can fail)', async (operationId) => {
    const hub = await seededHub();
    const own = CELLS.find(
      (c) => c.operationId === operationId && c.whose === 'own tenant' && c.expected.kind === 'success',
    );
    const request = requestFor(own as Cell);

    const answer = await send(hub, request);

    expect(mentionsTenantA(answer)).not.toEqual([]);
  });
});
