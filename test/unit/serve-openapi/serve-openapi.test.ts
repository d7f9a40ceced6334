import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/serve-openapi/handler.js';
import { ProblemSchema } from '../../../schemas/problem.js';
import { proxyEvent } from '../../helpers/events.js';

const document = JSON.stringify({ openapi: '3.1.0', info: { title: 'Schakel' } });
const event = (queryStringParameters: Record<string, string> | null) => ({
  ...proxyEvent('api-gateway-get-referral.json'),
  httpMethod: 'GET',
  resource: '/v1/openapi.json',
  path: '/v1/openapi.json',
  pathParameters: null,
  queryStringParameters,
});

describe('serve-openapi', () => {
  it('answers the document, cacheable for five minutes', async () => {
    const response = await makeHandler({ document })(event(null));

    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(document);
    expect(response.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Cache-Control': 'public, max-age=300',
    });
  });

  it('refuses query parameters it does not take, naming each, as every operation does', async () => {
    const response = await makeHandler({ document })(event({ debug: '1', format: 'yaml' }));

    expect(response.statusCode).toBe(400);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    expect(ProblemSchema.parse(JSON.parse(response.body)).invalidParams).toEqual([
      { name: 'debug', reason: 'is not a query parameter of this operation' },
      { name: 'format', reason: 'is not a query parameter of this operation' },
    ]);
  });
});
