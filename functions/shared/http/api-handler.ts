import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Implementations, OperationResult, OperationSpec } from '../declarations.js';
import { logger } from '../logger.js';
import {
  type ApiEvent,
  authorizedCaller,
  jsonBody,
  resolveOperation,
  validateRequest,
} from './request-middlewares.js';
import { problemResponses, requestLog } from './response-middlewares.js';

function toProxyResult(result: OperationResult<OperationSpec>): APIGatewayProxyResult {
  const hasBody = result.body !== undefined;
  return {
    statusCode: result.status,
    headers: { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...result.headers },
    body: hasBody ? JSON.stringify(result.body) : '',
  };
}

/**
 * The Lambda handler of an API function: its declared operations, one implementation each
 * (checked by the compiler), bound to `deps`. Middleware order is the request's path: logging
 * context, the request log, the one error mapping, then the steps that turn API Gateway's event
 * into a valid request for the implementation.
 */
export function apiHandler<const Ops extends Record<string, OperationSpec>, Deps>(
  operations: Ops,
  implementations: Implementations<Ops, NoInfer<Deps>>,
  deps: Deps,
  /** The clock of the operations' body rules (a use case's own clock, so tests can fix it). */
  options: { now?: () => Date } = {},
) {
  const implementationOf = implementations as unknown as Record<
    string,
    (request: unknown, deps: Deps) => Promise<OperationResult<OperationSpec>>
  >;
  return middy<ApiEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .use(requestLog())
    .use(problemResponses())
    .use(httpHeaderNormalizer())
    .use(resolveOperation(operations))
    .use(authorizedCaller())
    .use(jsonBody())
    .use(validateRequest(options.now ?? (() => new Date())))
    .handler(async (event) => {
      const { id, request } = event.operation ?? {};
      const implementation = id ? implementationOf[id] : undefined;
      if (!implementation || !request) throw new Error('the request reached no implementation');
      return toProxyResult(await implementation(request, deps));
    }) as unknown as (event: APIGatewayProxyEvent, context?: unknown) => Promise<APIGatewayProxyResult>;
}
