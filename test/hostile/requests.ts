import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import type * as core from 'zod/v4/core';
import type { ClientRole } from '../../domain/vocabulary.js';
import type { RegisteredOperation } from '../../functions/registry.js';
import { OPERATIONS } from '../../functions/registry.js';
import type { Client } from '../../schemas/client.js';
import { operationEvent } from '../helpers/api-calls.js';
import type { ApiFunctionName } from '../helpers/fake-hub.js';
import type { Edit, Mutation } from './mutations.js';
import { type BodyVariant, bodyVariantsOf, RawJson } from './valid-bodies.js';
import type { SeededHub, Tenant } from './world.js';
import { TENANTS } from './world.js';

// Requests as data: a valid one per operation, built from its declaration and a tenant's seeded
// resources, the same request after mutations, and the API Gateway proxy event it becomes. Built
// by hand rather than with hub.call so headers, content types, base64 and body text can be
// anything a client could send.

export type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string };

export interface HostileRequest {
  operationId: string;
  client: Client | undefined;
  path: Record<string, string> | null;
  query: Record<string, string> | null;
  headers: Record<string, string>;
  body: Body;
  base64: boolean;
}

export interface BaseRequest {
  request: HostileRequest;
  variant: BodyVariant | undefined;
}

export function operationNamed(operationId: string): RegisteredOperation {
  const op = OPERATIONS.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no operation ${operationId}`);
  return op;
}

/** The declared query parameters and whether each must be sent. */
export function queryShapeOf(op: RegisteredOperation): Record<string, { required: boolean }> {
  const schema = op.spec.query as core.$ZodObject | undefined;
  if (!schema) return {};
  return Object.fromEntries(
    Object.entries(schema._zod.def.shape).map(([key, s]) => [key, { required: s._zod.optin === undefined }]),
  );
}

/** A valid value of each query parameter for a tenant (a cursor must be issued, so none here). */
export function validQueryValue(operationId: string, key: string, tenant: Tenant): string | undefined {
  const values: Record<string, string> = {
    limit: '25',
    status: 'delivered',
    overdue: 'true',
    municipality: tenant.municipality,
    schoolLocation: tenant.schoolLocation,
    // The school's own id of one of its seeded signals.
    sourceId: `lvs-${tenant.key}-0`,
    groupBy: 'team',
    from: '2026-01-01T00:00:00Z',
    to: '2026-12-31T23:59:59Z',
  };
  // Where an operation means something else by a name: a signal's status, whole days.
  const byOperation: Record<string, Record<string, string>> = {
    listSignals: { status: 'routed' },
    getLeadTimes: { from: '2026-01-01', to: '2026-12-31' },
  };
  const own = byOperation[operationId];
  return own && Object.hasOwn(own, key) ? own[key] : Object.hasOwn(values, key) ? values[key] : undefined;
}

/**
 * Query parameters whose place depends on who calls, as the operation descriptions say: what a
 * role must send (an admin names the municipality; a municipality lists only overdue referrals),
 * what it may not (a school does not name a municipality, nobody but a school a `sourceId`), and
 * values it may not give. Each of these is a 400 naming the parameter.
 */
export interface RoleQuery {
  requires: readonly string[];
  refuses: readonly string[];
  refusedValues: Readonly<Record<string, readonly string[]>>;
}

const ROLE_QUERY: Readonly<Record<string, Partial<Record<ClientRole, Partial<RoleQuery>>>>> = {
  listSignals: {
    school: { refuses: ['municipality'] },
    municipality: { refuses: ['sourceId'] },
    admin: { requires: ['municipality'], refuses: ['sourceId'] },
  },
  listReferrals: {
    provider: { refuses: ['municipality'] },
    municipality: { requires: ['overdue'], refuses: ['status'], refusedValues: { overdue: ['false'] } },
  },
  getLeadTimes: {
    admin: { requires: ['municipality'] },
  },
};

export function roleQueryOf(operationId: string, role: ClientRole | undefined): RoleQuery {
  const rules = role ? ROLE_QUERY[operationId]?.[role] : undefined;
  return { requires: [], refuses: [], refusedValues: {}, ...rules };
}

/** The tenant's resource a path parameter names: the collection segment before `{id}`. */
function pathValue(op: RegisteredOperation, key: string, tenant: Tenant): string {
  // An assignment needs a signal no team has: the tenant's unroutable one.
  if (op.operationId === 'assignSignal' && key === 'id') return tenant.unroutableSignalId;
  const collection = /\/([a-z-]+)\/\{(\w+)\}/.exec(op.spec.path);
  const ids: Record<string, string> = {
    signals: tenant.signalIds[0],
    referrals: tenant.referralIds[0],
    'audit-exports': tenant.exportIds[0],
  };
  const id = collection?.[2] === key ? ids[collection[1] ?? ''] : undefined;
  if (!id) throw new Error(`test/hostile/requests.ts knows no seeded resource for ${op.spec.path} {${key}}`);
  return id;
}

export interface BaseOptions {
  /** Whose client calls: the tenant's own client of `role` by default. */
  client?: Client | undefined;
  role?: ClientRole | undefined;
  variant?: number;
  /** Optional query parameters to send (those the caller's role may not send are left out). */
  optionalQuery?: readonly string[];
  user?: boolean;
}

/** A request the operation accepts: tenant's ids and valid values everywhere. */
export function baseRequest(op: RegisteredOperation, tenant: Tenant, options: BaseOptions = {}): BaseRequest {
  const { roles } = op.spec;
  const role = options.role ?? (roles === 'public' ? undefined : roles[0]);
  const client = 'client' in options ? options.client : role ? tenant.clients[role] : undefined;
  const byRole = roleQueryOf(op.operationId, client?.role);
  const pathKeys = Object.keys((op.spec.pathParameters as core.$ZodObject | undefined)?._zod.def.shape ?? {});
  const path = pathKeys.length
    ? Object.fromEntries(pathKeys.map((k) => [k, pathValue(op, k, tenant)]))
    : null;
  const query: Record<string, string> = {};
  for (const [key, { required }] of Object.entries(queryShapeOf(op))) {
    if (byRole.refuses.includes(key)) continue;
    if (!required && !byRole.requires.includes(key) && !options.optionalQuery?.includes(key)) continue;
    const value = validQueryValue(op.operationId, key, tenant);
    if (value === undefined) throw new Error(`test/hostile/requests.ts knows no valid value of query ${key}`);
    query[key] = value;
  }
  const variant = op.spec.body
    ? bodyVariantsOf(op.spec.body.schema, op.operationId)[options.variant ?? 0]
    : undefined;
  if (op.spec.body && !variant) throw new Error(`${op.operationId} has no body variant ${options.variant}`);
  const body: Body = variant ? { kind: 'json', value: variant.build(tenant) } : { kind: 'none' };
  const headers: Record<string, string> = {
    ...(body.kind === 'none' ? {} : { 'Content-Type': 'application/json' }),
    ...(options.user && roles !== 'public' ? { 'Schakel-User': 'ib.devries' } : {}),
  };
  return {
    request: {
      operationId: op.operationId,
      client,
      path,
      query: Object.keys(query).length ? query : null,
      headers,
      body,
      base64: false,
    },
    variant,
  };
}

/** Valid requests of every allowed role, body variant, optional query subset and user header. */
export function baseRequestArb(op: RegisteredOperation, tenant: Tenant): fc.Arbitrary<BaseRequest> {
  const { roles } = op.spec;
  const variants = op.spec.body ? bodyVariantsOf(op.spec.body.schema, op.operationId).length : 1;
  const optional = Object.entries(queryShapeOf(op))
    .filter(([key, { required }]) => !required && key !== 'cursor')
    .map(([key]) => key);
  return fc
    .record({
      role: roles === 'public' ? fc.constant(undefined) : fc.constantFrom(...roles),
      variant: fc.integer({ min: 0, max: variants - 1 }),
      optionalQuery: fc.subarray(optional),
      user: fc.boolean(),
    })
    .map((options) => baseRequest(op, tenant, options));
}

/** JSON text of a body; `raw()` values are written as they are (`1e309`, nesting too deep to build). */
export function serializeBody(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `@@raw${raws.length - 1}@@`;
  });
  return raws.reduce((t, r, i) => t.replace(`"@@raw${i}@@"`, () => r), text);
}

function containerAt(root: unknown, path: readonly (string | number)[]): Record<string | number, unknown> {
  let node: unknown = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  if (node === null || typeof node !== 'object') {
    throw new Error(`harness: nothing to edit at ${path.join('.')}`);
  }
  return node as Record<string | number, unknown>;
}

function editBody(value: unknown, edit: Extract<Edit, { on: 'body' }>): unknown {
  if (edit.path.length === 0) throw new Error('harness: body edits need a field');
  const parent = containerAt(value, edit.path.slice(0, -1));
  const key = edit.path.at(-1) as string | number;
  if (edit.op === 'delete') {
    delete parent[key];
  } else if (edit.op === 'set') {
    // defineProperty, so `__proto__` becomes an own key that JSON.stringify writes out.
    Object.defineProperty(parent, key, {
      value: edit.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    const current = parent[key];
    if (typeof current !== 'string' || current.length < 2)
      throw new Error(`harness: no text at ${edit.path.join('.')}`);
    // Inside the text, never at its ends: trimming must not be able to remove what was inserted.
    const i = 1 + (edit.at % (current.length - 1));
    parent[key] = current.slice(0, i) + edit.text + current.slice(i);
  }
  return value;
}

function setHeader(headers: Record<string, string>, name: string, value: string | undefined) {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  if (value !== undefined) headers[name] = value;
}

/** The request after the mutations, in order; the base is left as it was. */
export function applyMutations(
  base: HostileRequest,
  mutations: readonly Mutation[],
  options: { base64?: boolean; clientOf?: (role: ClientRole) => Client } = {},
): HostileRequest {
  const r: HostileRequest = structuredClone(base);
  r.base64 = options.base64 ?? base.base64;
  for (const edit of mutations.flatMap((m) => m.edits)) {
    switch (edit.on) {
      case 'client':
        r.client = (options.clientOf ?? ((role: ClientRole) => TENANTS.a.clients[role]))(edit.role);
        break;
      case 'path':
        r.path = { ...r.path, [edit.key]: edit.value };
        break;
      case 'query': {
        const query: Record<string, string> = { ...r.query };
        if (edit.value === undefined) delete query[edit.key];
        else
          Object.defineProperty(query, edit.key, {
            value: edit.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        r.query = Object.keys(query).length ? query : null;
        break;
      }
      case 'header':
        setHeader(r.headers, edit.name, edit.value);
        break;
      case 'body-text':
        r.body = { kind: 'text', text: edit.text };
        break;
      case 'body':
        if (r.body.kind !== 'json') throw new Error('harness: a field edit after the body was replaced');
        r.body = { kind: 'json', value: editBody(r.body.value, edit) };
        break;
    }
  }
  return r;
}

export function bodyText(r: HostileRequest): string | null {
  if (r.body.kind === 'none') return null;
  return r.body.kind === 'text' ? r.body.text : serializeBody(r.body.value);
}

/** The proxy event API Gateway would hand the function for this request. */
export function toEvent(r: HostileRequest): APIGatewayProxyEvent {
  const event = operationEvent(r.operationId, {
    client: r.client,
    ...(r.path ? { path: r.path } : {}),
    ...(r.query ? { query: r.query } : {}),
  });
  const text = bodyText(r);
  const headers = { Host: 'a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com', ...r.headers };
  return {
    ...event,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    body: text === null ? null : r.base64 ? Buffer.from(text, 'utf8').toString('base64') : text,
    isBase64Encoded: r.base64,
  };
}

export interface Answer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  /** The handler threw instead of answering (API Gateway would answer 502). */
  threw?: string;
}

/** Sends the request to the function that serves its operation, as API Gateway would. */
export async function send(hub: SeededHub, r: HostileRequest): Promise<Answer> {
  const handler = hub.handlers[operationNamed(r.operationId).function as ApiFunctionName];
  if (!handler) throw new Error(`${r.operationId} is not served by an API function of the fake hub`);
  try {
    const response = await handler(toEvent(r));
    const headers = Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    let json: unknown;
    try {
      json = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers, text: response.body ?? '', json };
  } catch (error) {
    return { status: 502, headers: {}, text: '', json: undefined, threw: String(error) };
  }
}
