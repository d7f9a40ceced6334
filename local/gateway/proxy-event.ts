import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayEventIdentity,
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
} from 'aws-lambda';
import * as z from 'zod';
import { LOCAL_ACCOUNT } from '../runtime/local-function.js';
import { type ApiRoute, LOCAL_API_ID, LOCAL_STAGE } from './routes.js';

// The Lambda proxy integration (REST API, payload format 1.0) in both directions: an HTTP request
// becomes an APIGatewayProxyEvent as API Gateway builds it, and the function's proxy result
// becomes the HTTP response, with API Gateway's header merging.

/** API Gateway's own payload limit; the handlers enforce the API's smaller MAX_BODY_BYTES. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

/** The body as the event carries it: text, or base64 when its bytes are not UTF-8. */
export interface EventBody {
  body: string;
  isBase64Encoded: boolean;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export async function readBody(request: IncomingMessage): Promise<EventBody | null> {
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
  if (size === 0) return null;
  const bytes = Buffer.concat(chunks);
  // Bytes that are not UTF-8 are not decoded here: replacing them (as toString would, with U+FFFD)
  // would hand the function different pupil text than was sent. They travel base64-encoded, as API
  // Gateway passes a binary body, and the function refuses them.
  try {
    return { body: STRICT_UTF8.decode(bytes), isBase64Encoded: false };
  } catch {
    return { body: bytes.toString('base64'), isBase64Encoded: true };
  }
}

export interface RequestParts {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
}

/** Header names keep the caller's spelling, as API Gateway passes them; the last value wins in `headers`. */
export function requestParts(request: IncomingMessage, url: URL, sourceIp: string): RequestParts {
  // Maps, not objects, while collecting: a header or parameter named `__proto__`, `constructor` or
  // `toString` is data like any other (Object.fromEntries makes it an own property).
  const byName = new Map<string, { name: string; values: string[] }>();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const entry = byName.get(name.toLowerCase()) ?? { name, values: [] };
    entry.values.push(raw[i + 1] as string);
    byName.set(name.toLowerCase(), entry);
  }
  if (!byName.has('x-forwarded-for'))
    byName.set('x-forwarded-for', { name: 'X-Forwarded-For', values: [sourceIp] });
  if (!byName.has('x-forwarded-proto'))
    byName.set('x-forwarded-proto', { name: 'X-Forwarded-Proto', values: ['http'] });
  const multiValueHeaders = Object.fromEntries(
    [...byName.values()].map(({ name, values }) => [name, values]),
  );
  const headers = Object.fromEntries(
    [...byName.values()].map(({ name, values }) => [name, values.at(-1) ?? '']),
  );

  const multiQuery = new Map<string, string[]>();
  for (const [key, value] of url.searchParams) multiQuery.set(key, [...(multiQuery.get(key) ?? []), value]);
  const hasQuery = multiQuery.size > 0;
  return {
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery
      ? Object.fromEntries([...multiQuery].map(([k, v]) => [k, v.at(-1) ?? '']))
      : null,
    multiValueQueryStringParameters: hasQuery ? Object.fromEntries(multiQuery) : null,
  };
}

export function sourceIpOf(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
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

/** The request context shared by the authorizer's event and the function's; the authorizer part comes later. */
export function requestContext(
  request: IncomingMessage,
  url: URL,
  route: ApiRoute,
  requestId: string,
  started: number,
): APIGatewayEventRequestContextWithAuthorizer<undefined> {
  return {
    accountId: LOCAL_ACCOUNT,
    apiId: LOCAL_API_ID,
    authorizer: undefined,
    protocol: `HTTP/${request.httpVersion}`,
    httpMethod: route.method,
    identity: identity(sourceIpOf(request), request.headers['user-agent']),
    path: `/${LOCAL_STAGE}${url.pathname}`,
    stage: LOCAL_STAGE,
    requestId,
    requestTime: new Date(started).toISOString(),
    requestTimeEpoch: started,
    resourceId: route.path,
    resourcePath: route.path,
    domainName: request.headers.host ?? 'localhost',
  };
}

export function proxyEvent(
  route: ApiRoute,
  url: URL,
  parts: RequestParts,
  pathParameters: Record<string, string> | null,
  context: APIGatewayEventRequestContextWithAuthorizer<undefined>,
  authorizerContext: Record<string, string | number | null> | null,
  body: EventBody | null,
): APIGatewayProxyEvent {
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers: parts.headers,
    multiValueHeaders: parts.multiValueHeaders,
    queryStringParameters: parts.queryStringParameters,
    multiValueQueryStringParameters: parts.multiValueQueryStringParameters,
    pathParameters,
    stageVariables: null,
    requestContext: { ...context, authorizer: authorizerContext },
    body: body?.body ?? null,
    isBase64Encoded: body?.isBase64Encoded ?? false,
  };
}

const ProxyResultSchema = z.object({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()]))).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});

/**
 * Writes a function's proxy result as the HTTP response and returns its status, or undefined
 * without writing anything when it is not one (API Gateway's "Malformed Lambda proxy response").
 */
export function writeProxyResult(
  response: ServerResponse,
  raw: unknown,
  requestId: string,
): number | undefined {
  const result = ProxyResultSchema.safeParse(raw);
  if (!result.success) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result.data;
  const outgoing = new Map<string, string[]>();
  const add = (name: string, value: string | number | boolean) => {
    const key = [...outgoing.keys()].find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    outgoing.set(key, [...(outgoing.get(key) ?? []), String(value)]);
  };
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) for (const v of values) add(name, v);
  // API Gateway merges both maps; a pair present in both appears once.
  for (const [name, value] of Object.entries(headers ?? {})) {
    const key = [...outgoing.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    if (!key || !outgoing.get(key)?.includes(String(value))) add(name, value);
  }
  const payload = body ? Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  response.statusCode = statusCode;
  for (const [name, values] of outgoing)
    response.setHeader(name, values.length === 1 ? (values[0] as string) : values);
  response.setHeader('x-amzn-RequestId', requestId);
  response.setHeader('Content-Length', payload.length);
  response.end(payload);
  return statusCode;
}
