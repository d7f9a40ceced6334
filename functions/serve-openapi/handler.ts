import type { APIGatewayProxyResult } from 'aws-lambda';
import { buildOpenApiDocument } from '../../schemas/openapi.js';
import { once } from '../shared/dependencies.js';
import { STANDARD_HEADERS } from '../shared/http/gateway-responses.js';

const body = once(() => JSON.stringify(buildOpenApiDocument()));

export const handler = async (): Promise<APIGatewayProxyResult> => ({
  statusCode: 200,
  headers: {
    ...STANDARD_HEADERS,
    'Content-Type': 'application/json',
    'Cache-Control': 'public, max-age=300',
  },
  body: body(),
});
