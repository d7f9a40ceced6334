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

export async function readBody(request: IncomingMessage): Promise<string | null> {
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

export interface RequestParts {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
}

/** Header names keep the caller's spelling, as API Gateway passes them; the last value wins in `headers`. */
export function requestParts(request: IncomingMessage, url: URL, sourceIp: string): RequestParts {
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
  body: string | null,
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
    body,
    isBase64Encoded: false,
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
