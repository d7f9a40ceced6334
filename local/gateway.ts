import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayEventIdentity,
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import * as z from 'zod';
import { type FunctionName, OPERATIONS } from '../functions/registry.js';
import {
  GATEWAY_PROBLEMS,
  type GatewayResponseKind,
  gatewayProblemBody,
  PROBLEM_CONTENT_TYPE,
  STANDARD_HEADERS,
} from '../functions/shared/http/gateway-responses.js';
import { LOCAL_ACCOUNT, type LocalFunctions, requireFunction } from './lambda-runtime.js';
import type { LocalLog } from './local-log.js';
import type { AuthorizerSettings } from './topology.js';

// API Gateway (REST API, Lambda proxy integration, payload format 1.0) in front of the real
// handlers: route matching on API_ROUTES, the REQUEST authorizer with its policy evaluation, and
// the gateway responses the CDK stack installs (gateway-responses.ts), so a client sees the same
// statuses and problem+json bodies locally as in AWS.

export const LOCAL_STAGE = 'local';
const API_ID = 'local';
/** API Gateway's own payload limit; the handlers enforce the API's smaller MAX_BODY_BYTES. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  port: number;
  host?: string;
  region: string;
  functions: LocalFunctions;
  /** From the stack's AWS::ApiGateway::Authorizer. */
  authorizer: AuthorizerSettings;
  log: LocalLog;
}

export interface Gateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface ApiRoute {
  method: string;
  /** API Gateway resource path, with {braces} for path parameters. */
  path: string;
  function: FunctionName;
  /** false only for public operations (the OpenAPI document). */
  authorized: boolean;
}

/** One API Gateway method per declared operation, as the CDK app creates them. */
const API_ROUTES: readonly ApiRoute[] = OPERATIONS.map((operation) => ({
  method: operation.spec.method,
  path: operation.spec.path,
  function: operation.function,
  authorized: operation.spec.roles !== 'public',
}));

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  parameterNames: string[];
}

const COMPILED: CompiledRoute[] = API_ROUTES.map((route) => {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
});

export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; pathParameters: Record<string, string> } | undefined {
  for (const { route, pattern, parameterNames } of COMPILED) {
    if (route.method !== method) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    const pathParameters: Record<string, string> = {};
    parameterNames.forEach((name, i) => {
      pathParameters[name] = safeDecode(match[i + 1] ?? '');
    });
    return { route, pathParameters };
  }
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > GATEWAY_MAX_BODY_BYTES) throw new PayloadTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > GATEWAY_MAX_BODY_BYTES) throw new PayloadTooLargeError();
    chunks.push(buffer);
  }
  return size === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

interface RequestParts {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
}

/** Header names keep the caller's spelling, as API Gateway passes them; the last value wins in `headers`. */
function requestParts(request: IncomingMessage, url: URL, sourceIp: string): RequestParts {
  const multiValueHeaders: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const existing = Object.keys(multiValueHeaders).find((k) => k.toLowerCase() === name.toLowerCase());
    const key = existing ?? name;
    multiValueHeaders[key] = [...(multiValueHeaders[key] ?? []), raw[i + 1] as string];
  }
  const hasHeader = (name: string) => Object.keys(multiValueHeaders).some((k) => k.toLowerCase() === name);
  if (!hasHeader('x-forwarded-for')) multiValueHeaders['X-Forwarded-For'] = [sourceIp];
  if (!hasHeader('x-forwarded-proto')) multiValueHeaders['X-Forwarded-Proto'] = ['http'];
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v.at(-1) ?? '']));

  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) multiQuery[key] = [...(multiQuery[key] ?? []), value];
  const hasQuery = Object.keys(multiQuery).length > 0;
  return {
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(multiQuery).map(([k, v]) => [k, v.at(-1) ?? '']))
      : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
  };
}

function identity(sourceIp: string, userAgent: string | undefined): APIGatewayEventIdentity {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent: userAgent ?? null,
    userArn: null,
  };
}

const PolicyStatementSchema = z.looseObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]).optional(),
  Resource: z.union([z.string(), z.array(z.string())]).optional(),
});

const AuthorizerResultSchema = z.looseObject({
  principalId: z.string().min(1),
  policyDocument: z.looseObject({
    Statement: z.union([PolicyStatementSchema, z.array(PolicyStatementSchema)]),
  }),
  context: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullish(),
});

function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(value);
}

/** IAM evaluation as API Gateway applies it to an authorizer's policy: an explicit Deny wins. */
export function evaluatePolicy(
  statements: z.infer<typeof PolicyStatementSchema>[],
  methodArn: string,
): 'Allow' | 'Deny' {
  const applies = (s: z.infer<typeof PolicyStatementSchema>) => {
    const actions = [s.Action ?? []].flat();
    const resources = [s.Resource ?? []].flat();
    return (
      actions.some((a) => globMatches(a, 'execute-api:Invoke')) &&
      resources.some((r) => globMatches(r, methodArn))
    );
  };
  const matching = statements.filter(applies);
  if (matching.some((s) => s.Effect === 'Deny')) return 'Deny';
  return matching.some((s) => s.Effect === 'Allow') ? 'Allow' : 'Deny';
}

type Authorization =
  | { outcome: 'allow'; context: Record<string, string | number | null> }
  | { outcome: 'gateway-response'; kind: GatewayResponseKind; cached?: boolean };

const ProxyResultSchema = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { functions, log, region } = options;

  const headerSources = options.authorizer.identitySources.map((source) => {
    const header = /^method\.request\.header\.(.+)$/.exec(source)?.[1];
    return header?.toLowerCase();
  });
  // API Gateway caches the authorizer's policy per identity-source value and evaluates the cached
  // policy against later requests' method ARNs: a policy scoped to one method would deny the next
  // route for the TTL. Local mode caches the same way so that mistake shows here too.
  const cache = new Map<string, { expires: number; result: z.infer<typeof AuthorizerResultSchema> }>();
  const ttlMs = options.authorizer.resultTtlSeconds * 1000;

  async function authorize(
    route: ApiRoute,
    path: string,
    parts: RequestParts,
    pathParameters: Record<string, string> | null,
    requestContext: APIGatewayEventRequestContextWithAuthorizer<undefined>,
  ): Promise<Authorization> {
    // API Gateway answers 401 without calling the authorizer when an identity source is missing.
    const identityValues: string[] = [];
    for (const header of headerSources) {
      if (!header) continue;
      const value = Object.entries(parts.headers).find(([k]) => k.toLowerCase() === header)?.[1];
      if (!value) return { outcome: 'gateway-response', kind: 'UNAUTHORIZED' };
      identityValues.push(value);
    }
    const cacheKey = JSON.stringify(identityValues);
    const cached = ttlMs > 0 && headerSources.some(Boolean) ? cache.get(cacheKey) : undefined;
    const methodArn = `arn:aws:execute-api:${region}:${LOCAL_ACCOUNT}:${API_ID}/${LOCAL_STAGE}/${route.method}${path}`;
    const event: APIGatewayRequestAuthorizerEvent = {
      type: 'REQUEST',
      methodArn,
      resource: route.path,
      path,
      httpMethod: route.method,
      headers: parts.headers,
      multiValueHeaders: parts.multiValueHeaders,
      pathParameters,
      queryStringParameters: parts.queryStringParameters,
      multiValueQueryStringParameters: parts.multiValueQueryStringParameters,
      stageVariables: null,
      requestContext,
    };
    let policy: z.infer<typeof AuthorizerResultSchema>;
    const fromCache = cached !== undefined && cached.expires > Date.now();
    if (cached && fromCache) {
      policy = cached.result;
    } else {
      let raw: unknown;
      try {
        raw = await requireFunction(functions, 'authorize-client').invoke(event);
      } catch (error) {
        // The documented way for a Lambda authorizer to say 401 is to fail with exactly "Unauthorized".
        if (error instanceof Error && error.message === 'Unauthorized') {
          return { outcome: 'gateway-response', kind: 'UNAUTHORIZED' };
        }
        log.error('authorize-client failed (AUTHORIZER_FAILURE)', error);
        return { outcome: 'gateway-response', kind: 'DEFAULT_5XX' };
      }
      const result = AuthorizerResultSchema.safeParse(raw);
      if (!result.success) {
        log.error('authorize-client returned no valid policy (AUTHORIZER_CONFIGURATION_ERROR)');
        return { outcome: 'gateway-response', kind: 'DEFAULT_5XX' };
      }
      policy = result.data;
      if (ttlMs > 0) cache.set(cacheKey, { expires: Date.now() + ttlMs, result: policy });
    }
    const statements = [policy.policyDocument.Statement].flat();
    if (evaluatePolicy(statements, methodArn) === 'Deny') {
      return { outcome: 'gateway-response', kind: 'ACCESS_DENIED', cached: fromCache };
    }
    // API Gateway hands the context on with numbers and booleans as strings, plus principalId.
    const context: Record<string, string | number | null> = { principalId: policy.principalId };
    for (const [key, value] of Object.entries(policy.context ?? {})) {
      context[key] = value === null ? null : String(value);
    }
    return { outcome: 'allow', context };
  }

  function sendGatewayResponse(
    response: ServerResponse,
    kind: GatewayResponseKind,
    requestId: string,
  ): number {
    const body = gatewayProblemBody(kind);
    response.writeHead(GATEWAY_PROBLEMS[kind].status, {
      ...STANDARD_HEADERS,
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': requestId,
    });
    response.end(body);
    return GATEWAY_PROBLEMS[kind].status;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const matched = matchRoute(method, url.pathname);
    const label = `${method} ${matched?.route.path ?? '(no such route)'}`;
    // Which gateway response answered, if any: tells a 403 of the gateway from one of the function.
    let note = '';
    const answer = (kind: GatewayResponseKind, why = '') => {
      note = ` ${kind}${why}`;
      return sendGatewayResponse(response, kind, requestId);
    };
    let status: number;
    try {
      status = await respond();
    } catch (error) {
      log.error(`${label} failed in the gateway`, error);
      status = response.headersSent ? 500 : answer('DEFAULT_5XX');
    }
    log.info(`${label} ${status}${note} ${Date.now() - started} ms`);

    async function respond(): Promise<number> {
      if (!matched) {
        request.resume();
        return answer('MISSING_AUTHENTICATION_TOKEN');
      }
      let body: string | null;
      try {
        body = await readBody(request);
      } catch (error) {
        if (!(error instanceof PayloadTooLargeError)) throw error;
        response.setHeader('Connection', 'close');
        return answer('REQUEST_TOO_LARGE');
      }

      const { route, pathParameters } = matched;
      const sourceIp = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
      const parts = requestParts(request, url, sourceIp);
      const hasPathParameters = Object.keys(pathParameters).length > 0;
      const baseContext: APIGatewayEventRequestContextWithAuthorizer<undefined> = {
        accountId: LOCAL_ACCOUNT,
        apiId: API_ID,
        authorizer: undefined,
        protocol: `HTTP/${request.httpVersion}`,
        httpMethod: method,
        identity: identity(sourceIp, request.headers['user-agent']),
        path: `/${LOCAL_STAGE}${url.pathname}`,
        stage: LOCAL_STAGE,
        requestId,
        requestTime: new Date(started).toISOString(),
        requestTimeEpoch: started,
        resourceId: route.path,
        resourcePath: route.path,
        domainName: request.headers.host ?? 'localhost',
      };

      let authorizerContext: Record<string, string | number | null> | null = null;
      if (route.authorized) {
        const authorizerStarted = Date.now();
        const authorization = await authorize(
          route,
          url.pathname,
          parts,
          hasPathParameters ? pathParameters : null,
          baseContext,
        );
        if (authorization.outcome === 'gateway-response') {
          return answer(authorization.kind, authorization.cached ? ' (cached authorizer policy)' : '');
        }
        authorizerContext = { ...authorization.context, integrationLatency: Date.now() - authorizerStarted };
      }

      const event: APIGatewayProxyEvent = {
        resource: route.path,
        path: url.pathname,
        httpMethod: method,
        headers: parts.headers,
        multiValueHeaders: parts.multiValueHeaders,
        queryStringParameters: parts.queryStringParameters,
        multiValueQueryStringParameters: parts.multiValueQueryStringParameters,
        pathParameters: hasPathParameters ? pathParameters : null,
        stageVariables: null,
        requestContext: { ...baseContext, authorizer: authorizerContext },
        body,
        isBase64Encoded: false,
      };

      let raw: unknown;
      try {
        raw = await requireFunction(functions, route.function).invoke(event);
      } catch (error) {
        log.error(`${route.function} failed`, error);
        return answer('DEFAULT_5XX');
      }
      const result = ProxyResultSchema.safeParse(raw);
      if (!result.success) {
        // API Gateway's "Malformed Lambda proxy response".
        log.error(`${route.function} returned no valid proxy result`);
        return answer('DEFAULT_5XX');
      }
      const { statusCode, headers, multiValueHeaders, body: responseBody, isBase64Encoded } = result.data;
      const outgoing = new Map<string, string[]>();
      const add = (name: string, value: string | number | boolean) => {
        const key = [...outgoing.keys()].find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
        outgoing.set(key, [...(outgoing.get(key) ?? []), String(value)]);
      };
      for (const [name, values] of Object.entries(multiValueHeaders ?? {}))
        for (const v of values) add(name, v);
      // API Gateway merges both maps; a pair present in both appears once.
      for (const [name, value] of Object.entries(headers ?? {})) {
        const key = [...outgoing.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
        if (!key || !outgoing.get(key)?.includes(String(value))) add(name, value);
      }
      const payload = responseBody
        ? Buffer.from(responseBody, isBase64Encoded ? 'base64' : 'utf8')
        : Buffer.alloc(0);
      response.statusCode = statusCode;
      for (const [name, values] of outgoing)
        response.setHeader(name, values.length === 1 ? (values[0] as string) : values);
      response.setHeader('x-amzn-RequestId', requestId);
      response.setHeader('Content-Length', payload.length);
      response.end(payload);
      return statusCode;
    }
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${options.port} is in use; start with another, e.g. PORT=3001 npm start`)
          : error,
      );
    });
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
