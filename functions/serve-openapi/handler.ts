import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { STANDARD_HEADERS } from '../shared/http/gateway-responses.js';
import { logger } from '../shared/logger.js';

export interface ServeOpenApiDeps {
  /** The document as JSON, generated when the app is synthesised. */
  document: string;
}

// Its one operation (getOpenApi) needs no validation, caller or body: this handler skips the API
// plumbing, so its bundle is the document and little more (see the bundle table in the README).
export const makeHandler = (deps: ServeOpenApiDeps) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { clearState: true }))
    .handler(async () => ({
      statusCode: 200,
      headers: {
        ...STANDARD_HEADERS,
        'Content-Type': 'application/json',
        'Cache-Control': 'public, max-age=300',
      },
      body: deps.document,
    })) as unknown as (event: APIGatewayProxyEvent, context?: unknown) => Promise<APIGatewayProxyResult>;
