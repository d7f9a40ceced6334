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
import type { OperationSpec } from '../declarations.js';
import { ForbiddenError, ValidationError } from '../errors.js';
import { clientFromAuthorizerContext } from './client-context.js';
import { parseWith } from './invalid-params.js';

// The steps between API Gateway's event and an operation's implementation, in the order they run:
// find the operation, know the caller, read the body, validate every part of the request.

export interface ValidatedRequest {
  client: Client | undefined;
  user: string | undefined;
  path: unknown;
  query: unknown;
  body: unknown;
}

export interface ApiEvent extends APIGatewayProxyEvent {
  /** Set by the middlewares below, read by the router's last step. */
  operation?: { id: string; spec: OperationSpec; client?: Client; request?: ValidatedRequest };
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
 * The JSON body of operations that take one: at most MAX_BODY_BYTES (413), sent as JSON (415),
 * parseable (400, via middy's parser, which also refuses `__proto__` keys). No body is no body:
 * whether one is required is the validation's call.
 */
export function jsonBody(): ApiMiddleware {
  const parser = httpJsonBodyParser();
  return {
    before: (request) => {
      const { event } = request;
      if (!current(event).spec.body || event.body === null || event.body === undefined || event.body === '') {
        event.body = null;
        return;
      }
      const size = event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').length
        : Buffer.byteLength(event.body);
      if (size > MAX_BODY_BYTES) throw createError(413, `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      return parser.before?.(request as never);
    },
  };
}

// Issued by the calling system for its own user and kept in the audit for years: an opaque id,
// never personal data. An e-mail address (no @ allowed) or a number that passes the BSN's or the
// onderwijsnummer's check is refused rather than stored (the decision "people, not keys": a user
// identifier is opaque and never a BSN or other pupil data).
const USER_REASON = 'must be an opaque user id: 1–100 letters, digits, . _ : - (never an e-mail address or a BSN)';
const UserHeaderSchema = z.string().check(
  z.regex(/^[A-Za-z0-9._:-]{1,100}$/, { error: USER_REASON }),
  z.refine(
    (user) =>
      ![...user.matchAll(/\d{9,}/g)].some(([digits]) =>
        [...digits].some((_, i) => {
          const nine = digits.slice(i, i + 9);
          return nine.length === 9 && (isValidBsn(nine) || isValidOnderwijsnummer(nine));
        }),
      ),
    { error: USER_REASON },
  ),
);

const EMPTY = z.strictObject({});

/** Where a body holds text that is not valid Unicode (a lone surrogate in a value or a key). */
function illFormedText(value: unknown, path: (string | number)[] = []): InvalidParam[] {
  const name = path.join('.') || '(body)';
  const reason = 'must be valid Unicode text (it holds a lone UTF-16 surrogate)';
  if (typeof value === 'string') return value.isWellFormed() ? [] : [{ name, reason }];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    return key.isWellFormed() ? illFormedText(inner, at) : [{ name: at.join('.'), reason }];
  });
}

function mergeByName(...lists: InvalidParam[][]): InvalidParam[] {
  const seen = new Set<string>();
  return lists.flat().filter((p) => !seen.has(p.name) && seen.add(p.name));
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
      const query = part(
        spec.query ?? EMPTY,
        event.queryStringParameters ?? {},
        'is not a query parameter of this operation',
      );
      const userHeader = event.headers?.['schakel-user'];
      let user: string | undefined;
      if (userHeader !== undefined && spec.roles !== 'public') {
        const parsed = UserHeaderSchema.safeParse(userHeader);
        if (parsed.success) user = parsed.data;
        else
          problems.push({ name: 'Schakel-User', reason: parsed.error.issues[0]?.message ?? 'is not valid' });
      }
      let body: unknown;
      if (spec.body) {
        if (event.body === null) {
          if (spec.body.required) problems.push({ name: '(body)', reason: 'is required' });
        } else {
          // Text no store can hold: named before the schema judges the rest of the body.
          const malformed = illFormedText(event.body);
          const before = problems.length;
          body = part(spec.body.schema, event.body);
          const schemaProblems = problems.splice(before);
          problems.push(...mergeByName(malformed, schemaProblems));
          // The request is refused anyway: the rules add what they find, so nothing waits for a retry.
          if (problems.length && spec.bodyRules) {
            const rules = spec.bodyRules(event.body, { client: operation.client, now: now() });
            problems.splice(0, problems.length, ...mergeByName(problems, rules));
          }
        }
      }
      if (problems.length) throw new ValidationError(problems);
      operation.request = { client: operation.client, user, path, query, body };
    },
  };
}
