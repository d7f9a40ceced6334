import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ValidationError } from '../shared/errors.js';
import { STANDARD_HEADERS } from '../shared/http/gateway-responses.js';
import { problemFor, UNKNOWN_QUERY_PARAMETER } from '../shared/http/problem.js';
import { logger } from '../shared/logger.js';

export interface ServeOpenApiDeps {
  /** The document as JSON, generated when the app is synthesised. */
  document: string;
}

// Its one operation (getOpenApi) needs no caller, body or schema: this handler skips the API
// plumbing, so its bundle is the document and little more (see the bundle table in the README).
// Like every operation it refuses query parameters it does not take, rather than ignoring them.
export const makeHandler = (deps: ServeOpenApiDeps) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler(async (event) => {
      const unknown = Object.keys(event.queryStringParameters ?? {});
      if (unknown.length) {
        const invalidParams = unknown.map((name) => ({
          name,
          reason: UNKNOWN_QUERY_PARAMETER,
        }));
        return problemFor(new ValidationError(invalidParams)).response;
      }
      return {
        statusCode: 200,
        headers: {
          ...STANDARD_HEADERS,
          'Content-Type': 'application/json',
          'Cache-Control': 'public, max-age=300',
        },
        body: deps.document,
      };
    }) as unknown as (event: APIGatewayProxyEvent, context?: unknown) => Promise<APIGatewayProxyResult>;
