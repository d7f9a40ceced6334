import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { LOG_EVENTS } from '../log-events.js';
import { logEvent } from '../logger.js';
import { STANDARD_HEADERS } from './gateway-responses.js';
import { problemFor } from './problem.js';
import type { ApiEvent } from './request-middlewares.js';

type ApiMiddleware = MiddlewareObj<ApiEvent, APIGatewayProxyResult>;

const STARTED = Symbol('startedAt');

/**
 * One log line per request — the route template and operation, the status and the duration,
 * never the path (it holds ids), the query or the body — and the standard headers on every
 * response, the problems included.
 */
export function requestLog(): ApiMiddleware {
  const complete: ApiMiddleware['after'] = (request) => {
    const response = request.response;
    if (!response) return;
    response.headers = { ...STANDARD_HEADERS, ...response.headers };
    const started = (request.internal as Record<symbol, number>)[STARTED] ?? Date.now();
    logEvent(LOG_EVENTS.requestCompleted, {
      route: `${request.event.httpMethod} ${request.event.resource}`,
      operationId: request.event.operation?.id,
      status: response.statusCode,
      durationMs: Date.now() - started,
    });
  };
  return {
    before: (request) => {
      (request.internal as Record<symbol, number>)[STARTED] = Date.now();
    },
    after: complete,
    onError: complete,
  };
}

/** Turns whatever a step threw into the problem+json response (problem.ts decides which). */
export function problemResponses(): ApiMiddleware {
  return {
    onError: (request) => {
      const { response, expected } = problemFor(request.error);
      request.response = response;
      if (!expected) {
        const error = request.error as Error | undefined;
        logEvent(
          LOG_EVENTS.requestFailed,
          {
            route: `${request.event.httpMethod} ${request.event.resource}`,
            operationId: request.event.operation?.id,
            errorName: error?.name,
            errorMessage: error?.message,
          },
          'error',
        );
      }
    },
  };
}
