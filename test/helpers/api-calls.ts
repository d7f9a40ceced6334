import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'vitest';
import { OPERATIONS } from '../../functions/registry.js';
import { toAuthorizerContext } from '../../functions/shared/http/client-context.js';
import type { Client } from '../../schemas/client.js';
import { ProblemSchema } from '../../schemas/problem.js';
import { proxyEvent } from './events.js';

// API Gateway proxy events for a declared operation, shaped like the real one in test/events/,
// for handler tests that call makeHandler(deps) with fakes.

export interface CallOptions {
  client?: Client | undefined;
  path?: Record<string, string>;
  query?: Record<string, string>;
  /** A value is sent as JSON; a string is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export function operationEvent(operationId: string, options: CallOptions = {}): APIGatewayProxyEvent {
  const operation = OPERATIONS.find((o) => o.operationId === operationId);
  if (!operation) throw new Error(`no operation ${operationId}`);
  const { method, path: resource } = operation.spec;
  const base = proxyEvent('api-gateway-post-signal.json');
  const path = resource.replace(/\{(\w+)\}/g, (_, name: string) => options.path?.[name] ?? `{${name}}`);
  const body =
    options.body === undefined
      ? null
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    Host: 'a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com',
    ...(body === null ? {} : { 'Content-Type': 'application/json' }),
    ...options.headers,
  };
  return {
    ...base,
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: options.query
      ? Object.fromEntries(Object.entries(options.query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: options.path ?? null,
    body,
    requestContext: {
      ...base.requestContext,
      resourcePath: resource,
      httpMethod: method,
      authorizer: options.client
        ? {
            principalId: options.client.clientId,
            integrationLatency: 12,
            ...toAuthorizerContext(options.client),
          }
        : null,
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export async function answerOf(
  result: APIGatewayProxyResult | Promise<APIGatewayProxyResult>,
): Promise<Answer> {
  const response = await result;
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return {
    status: response.statusCode,
    headers,
    body: response.body ? JSON.parse(response.body) : undefined,
  };
}

/** The problem of a 4xx/5xx answer, checked against the published schema. */
export function problemOf(answer: Answer, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers['api-version']).toMatch(/^\d+\.\d+\.\d+$/);
  const problem = ProblemSchema.parse(answer.body);
  expect(problem.status).toBe(status);
  return problem;
}

export const invalidNames = (answer: Answer, status = 400) =>
  (problemOf(answer, status).invalidParams ?? []).map((p) => p.name);
