import type { MiddlewareObj } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { createError } from '@middy/util';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import type * as core from 'zod/v4/core';
import { isValidBsn, isValidOnderwijsnummer } from '../../../domain/identifiers.js';
import { MAX_BODY_BYTES } from '../../../schemas/api.js';
import type { Client } from '../../../schemas/client.js';
import type { InvalidParam } from '../../../schemas/problem.js';
import type { BodySpec, OperationSpec } from '../declarations.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { clientFromAuthorizerContext } from './client-context.js';
import { parseWith } from './invalid-params.js';
import { UNKNOWN_QUERY_PARAMETER } from './problem.js';

// The steps between API Gateway's event and an operation's implementation, in the order they run:
// find the operation, know the caller, read the body, validate every part of the request.

export interface ValidatedRequest {
  client: Client | undefined;
  user: string | undefined;
  path: unknown;
  query: unknown;
  body: unknown;
}

/** The body as jsonBody() found it: none sent, parsed JSON (which may be `null`), or not JSON. */
export type ReceivedBody =
  | { kind: 'absent' }
  | { kind: 'json'; value: unknown }
  | { kind: 'unparseable'; problem: InvalidParam };

export interface ApiEvent extends APIGatewayProxyEvent {
  /** Set by the middlewares below, read by the router's last step. */
  operation?: {
    id: string;
    spec: OperationSpec;
    client?: Client;
    body?: ReceivedBody;
    request?: ValidatedRequest;
  };
}

type ApiMiddleware = MiddlewareObj<ApiEvent, APIGatewayProxyResult>;

function current(event: ApiEvent) {
  if (!event.operation) throw new Error('resolveOperation must run first');
  return event.operation;
}

/**
 * API Gateway has already matched the route and names it in `resource` (`/v1/signals/{id}`), so
 * the operation is a lookup, not a second path match: matching `path` again would break behind a
 * custom domain's base path mapping. A route this function does not serve is a wiring fault.
 */
export function resolveOperation(operations: Readonly<Record<string, OperationSpec>>): ApiMiddleware {
  const byRoute = new Map(
    Object.entries(operations).map(([id, spec]) => [`${spec.method} ${spec.path}`, { id, spec }]),
  );
  return {
    before: ({ event }) => {
      const found = byRoute.get(`${event.httpMethod} ${event.resource}`);
      if (!found) throw new Error(`no operation for ${event.httpMethod} ${event.resource} in this function`);
      event.operation = { ...found };
    },
  };
}

/** The client the authorizer resolved; a role the operation is not for is a 403. */
export function authorizedCaller(): ApiMiddleware {
  return {
    before: ({ event }) => {
      const operation = current(event);
      const { roles } = operation.spec;
      if (roles === 'public') return;
      const caller = clientFromAuthorizerContext(event.requestContext?.authorizer ?? {});
      if (!caller.ok) throw new Error('request reached the function without an authorizer context');
      if (!roles.includes(caller.client.role)) {
        throw new ForbiddenError(`This operation is for ${roles.join(' and ')} clients only.`);
      }
      operation.client = caller.client;
    },
  };
}

/**
 * The JSON body of operations that take one: at most the operation's `maxBodyBytes`, else
 * MAX_BODY_BYTES (413), sent as JSON (415).
 * Those two refuse the request outright. A body that does not parse (or holds `__proto__`, which
 * middy's parser refuses) is a bad field like any other: validateRequest names it beside the bad
 * path, query and header values. No body is no body; whether one is required is the validation's
 * call. A body of JSON `null` is a body, judged by the schema.
 */
export function jsonBody(): ApiMiddleware {
  const parser = httpJsonBodyParser();
  return {
    before: (request) => {
      const { event } = request;
      const operation = current(event);
      if (!operation.spec.body || event.body === null || event.body === undefined || event.body === '') {
        operation.body = { kind: 'absent' };
        event.body = null;
        return;
      }
      const size = event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').length
        : Buffer.byteLength(event.body);
      const limit = operation.spec.maxBodyBytes ?? MAX_BODY_BYTES;
      if (size > limit) throw createError(413, `The request body exceeds ${limit} bytes.`);
      const text = event.isBase64Encoded ? utf8Text(Buffer.from(event.body, 'base64')) : event.body;
      const refused =
        text === undefined ? NOT_UTF8 : nestingDepth(text) > MAX_BODY_DEPTH ? TOO_DEEP : undefined;
      if (refused) {
        operation.body = { kind: 'unparseable', problem: refused };
        event.body = null;
        return;
      }
      try {
        parser.before?.(request as never);
        operation.body = { kind: 'json', value: event.body as unknown };
      } catch (error) {
        const refused = unparseable(error);
        if (!refused) throw error;
        operation.body = { kind: 'unparseable', problem: refused };
        event.body = null;
      }
    },
  };
}

/** Far deeper than any body this API takes (a submission nests three levels). */
export const MAX_BODY_DEPTH = 32;
const TOO_DEEP: InvalidParam = {
  name: '(body)',
  reason: `must not nest deeper than ${MAX_BODY_DEPTH} levels`,
};

const NOT_UTF8: InvalidParam = { name: '(body)', reason: 'must be UTF-8 text' };
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Bytes as text, or undefined when they are not UTF-8: a lenient decoder would replace the bad
 * bytes with U+FFFD and store pupil text other than what the school sent. (A body API Gateway
 * passes as text was decoded before it reached the function; the local gateway passes bytes that
 * are not UTF-8 base64-encoded, so they arrive here.)
 */
function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * How deep the arrays and objects in JSON text nest, counted on the text before parsing: a 64 KiB
 * body can nest 30,000 deep, which overflows the stack of the parser's reviver and of any schema.
 */
export function nestingDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** middy's parser reports bad JSON and forbidden keys as 422s; anything else (415) is not ours. */
function unparseable(error: unknown): InvalidParam | undefined {
  const { statusCode, cause, message } = (error ?? {}) as {
    statusCode?: number;
    cause?: { package?: string };
    message?: string;
  };
  if (statusCode !== 422 || cause?.package !== '@middy/http-json-body-parser') return undefined;
  return /Forbidden key/.test(message ?? '')
    ? { name: '(body)', reason: 'must not contain the keys __proto__ or constructor' }
    : { name: '(body)', reason: 'is not valid JSON' };
}

/**
 * Whether nine digits in a row pass the BSN's or the onderwijsnummer's check, also when written
 * with separators between them (`9999.00.018`, `999-900-018`): letters end a run, . _ : - do not.
 */
function holdsPupilNumber(user: string): boolean {
  return user
    .split(/[A-Za-z]+/)
    .map((part) => part.replace(/\D/g, ''))
    .some((digits) =>
      [...digits].some((_, i) => {
        const nine = digits.slice(i, i + 9);
        return nine.length === 9 && (isValidBsn(nine) || isValidOnderwijsnummer(nine));
      }),
    );
}

// Issued by the calling system for its own user and kept in the audit for years: an opaque id,
// never personal data. An e-mail address (no @ allowed) or a number that passes the BSN's or the
// onderwijsnummer's check is refused rather than stored (the decision "people, not keys": a user
// identifier is opaque and never a BSN or other pupil data).
const USER_REASON =
  'must be an opaque user id: 1–100 letters, digits, . _ : - (never an e-mail address or a BSN)';
const UserHeaderSchema = z.string().check(
  z.regex(/^[A-Za-z0-9._:-]{1,100}$/, { error: USER_REASON }),
  z.refine((user) => !holdsPupilNumber(user), { error: USER_REASON }),
);

const EMPTY = z.strictObject({});

/**
 * Where a body holds text that is not valid Unicode (a lone surrogate in a value or a key). A walk
 * with its own stack, though jsonBody() already refused anything nested deeper than a few dozen.
 * The top-level property `skip` (a batch's items, judged one by one) is left out.
 */
function illFormedText(body: unknown, skip?: string): InvalidParam[] {
  const reason = 'must be valid Unicode text (it holds a lone UTF-16 surrogate)';
  const found: InvalidParam[] = [];
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value: body, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) found.push({ name: path.join('.') || '(body)', reason });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, inner] = entries[i] as [string, unknown];
      if (path.length === 0 && key === skip && !Array.isArray(value)) continue;
      const at = [...path, Array.isArray(value) ? Number(key) : key];
      if (key.isWellFormed()) pending.push({ value: inner, path: at });
      else found.push({ name: at.join('.'), reason });
    }
  }
  return found;
}

function mergeByName(...lists: InvalidParam[][]): InvalidParam[] {
  const seen = new Set<string>();
  return lists.flat().filter((p) => !seen.has(p.name) && seen.add(p.name));
}

export type BodyVerdict<T = unknown> = { ok: true; value: T } | { ok: false; invalidParams: InvalidParam[] };

/**
 * A JSON body against an operation's body schema and rules, every bad field at once: the whole
 * request's body in validateRequest, and each item of a batch against the operation it batches.
 * `refusedAnyway` says the request has other bad parts, so the rules add what they find too.
 */
export function judgeBody<const B extends BodySpec>(
  spec: { body: B; bodyRules?: OperationSpec['bodyRules'] },
  value: unknown,
  context: { client: Client | undefined; now: Date },
  refusedAnyway = false,
): BodyVerdict<core.output<B['schema']>> {
  // Text no store can hold: named before the schema judges the rest of the body.
  const malformed = illFormedText(value, spec.body.batchItems);
  const parsed = parseWith(spec.body.schema, value);
  let problems = mergeByName(malformed, parsed.ok ? [] : parsed.invalidParams);
  // The request is refused anyway: the rules add what they find, so nothing waits for a retry.
  if ((problems.length || refusedAnyway) && spec.bodyRules) {
    problems = mergeByName(problems, spec.bodyRules(value, context));
  }
  if (problems.length || !parsed.ok) return { ok: false, invalidParams: problems };
  return { ok: true, value: parsed.value as core.output<B['schema']> };
}

/** Every part of the request against the operation's schemas; all bad fields in one 400. */
export function validateRequest(now: () => Date): ApiMiddleware {
  return {
    before: ({ event }) => {
      const operation = current(event);
      const { spec } = operation;
      const problems: InvalidParam[] = [];
      const part = (schema: core.$ZodType, input: unknown, unknownKey?: string) => {
        const result = parseWith(schema, input, unknownKey ? { unknownKey } : {});
        if (result.ok) return result.value;
        problems.push(...result.invalidParams);
        return undefined;
      };
      const path = part(spec.pathParameters ?? EMPTY, event.pathParameters ?? {});
      const query = part(spec.query ?? EMPTY, event.queryStringParameters ?? {}, UNKNOWN_QUERY_PARAMETER);
      // API Gateway hands on the last value of a repeated parameter; which one the client meant is
      // not for the hub to guess (`limit=100&limit=1`, `municipality=0534&municipality=0363`).
      for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
        const named = problems.some((p) => p.name === name);
        if ((values?.length ?? 0) > 1 && !named) problems.push({ name, reason: 'is given more than once' });
      }
      if (spec.queryRules) {
        const rules = spec.queryRules(event.queryStringParameters ?? {}, { client: operation.client });
        problems.splice(0, problems.length, ...mergeByName(problems, rules));
      }
      const userHeader = event.headers?.['schakel-user'];
      let user: string | undefined;
      if (userHeader !== undefined && spec.roles !== 'public') {
        const parsed = UserHeaderSchema.safeParse(userHeader);
        if (parsed.success) user = parsed.data;
        else
          problems.push({ name: 'Schakel-User', reason: parsed.error.issues[0]?.message ?? 'is not valid' });
      }
      let body: unknown;
      const received = operation.body ?? { kind: 'absent' };
      if (spec.body && received.kind === 'unparseable') problems.push(received.problem);
      else if (spec.body && received.kind === 'absent') {
        if (spec.body.required) problems.push({ name: '(body)', reason: 'is required' });
      } else if (spec.body && received.kind === 'json') {
        const context = { client: operation.client, now: now() };
        const verdict = judgeBody({ ...spec, body: spec.body }, received.value, context, problems.length > 0);
        if (verdict.ok) body = verdict.value;
        else problems.splice(0, problems.length, ...mergeByName(problems, verdict.invalidParams));
      }
      if (problems.length) throw new ValidationError(problems);
      operation.request = { client: operation.client, user, path, query, body };
    },
  };
}
