import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../../functions/registry.js';
import { evaluatePolicy, type Gateway, matchRoute, startGateway } from '../../../local/gateway.js';
import type { LocalFunction } from '../../../local/lambda-runtime.js';

const ARN = 'arn:aws:execute-api:eu-west-1:000000000000:local/local/GET/v1/signals/abc';

describe('matchRoute', () => {
  it.each([
    ['GET', '/v1/signals/abc', '/v1/signals/{id}', { id: 'abc' }],
    ['POST', '/v1/signals/abc/withdraw', '/v1/signals/{id}/withdraw', { id: 'abc' }],
    ['POST', '/v1/signals', '/v1/signals', {}],
    ['GET', '/v1/signals/a%20b', '/v1/signals/{id}', { id: 'a b' }],
  ])('matches %s %s to %s', (method, path, template, parameters) => {
    expect(matchRoute(method, path)).toEqual({
      route: expect.objectContaining({ path: template }),
      pathParameters: parameters,
    });
  });

  it.each([
    ['DELETE', '/v1/signals/abc'],
    ['GET', '/v1/signals/abc/'],
    ['GET', '/v2/signals'],
  ])('finds no route for %s %s', (method, path) => {
    expect(matchRoute(method, path)).toBeUndefined();
  });
});

describe('evaluatePolicy', () => {
  const allow = (Resource: string) => ({ Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource });

  it.each([
    ['the exact method ARN', 'Allow', [allow(ARN)]],
    ['a stage wildcard', 'Allow', [allow('arn:aws:execute-api:eu-west-1:000000000000:local/local/*')]],
    ['another method only', 'Deny', [allow('arn:aws:execute-api:eu-west-1:000000000000:local/local/POST/*')]],
    ['an explicit deny beside an allow', 'Deny', [allow('*'), { ...allow(ARN), Effect: 'Deny' as const }]],
    ['no statement', 'Deny', []],
  ])('answers %s with %s', (_, expected, statements) => {
    expect(evaluatePolicy(statements, ARN)).toBe(expected);
  });
});

type Invoke = (event: unknown) => Promise<unknown>;

function functions(
  handlers: Partial<Record<FunctionName, Invoke>>,
): ReadonlyMap<FunctionName, LocalFunction> {
  const map = new Map<FunctionName, LocalFunction>();
  for (const [name, invoke] of Object.entries(handlers) as [FunctionName, Invoke][]) {
    map.set(name, { name, arn: `arn:aws:lambda:eu-west-1:000000000000:function:${name}`, invoke });
  }
  return map;
}

const policy = (resource: string, effect: 'Allow' | 'Deny' = 'Allow') => ({
  principalId: 'client-1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
  context: { clientId: 'client-1', role: 'school', count: 3 },
});

const silent = { info: () => undefined, error: () => undefined };
let gateway: Gateway | undefined;

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

async function start(handlers: Partial<Record<FunctionName, Invoke>>, resultTtlSeconds = 0) {
  gateway = await startGateway({
    port: 0,
    region: 'eu-west-1',
    functions: functions(handlers),
    authorizer: { identitySources: ['method.request.header.Authorization'], resultTtlSeconds },
    log: silent,
  });
  return gateway.url;
}

describe('startGateway', () => {
  it('answers an unknown path with the 404 gateway problem', async () => {
    const url = await start({});

    const response = await fetch(`${url}/v1/unknown`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('api-version')).toBe('1.0.0');
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('answers 401 without calling the authorizer when the Authorization header is missing', async () => {
    let called = false;
    const url = await start({
      'authorize-client': async () => {
        called = true;
        return policy('*');
      },
    });

    const response = await fetch(`${url}/v1/referrals`);

    expect(response.status).toBe(401);
    expect(called).toBe(false);
  });

  it('answers 401 when the authorizer fails with "Unauthorized"', async () => {
    const url = await start({
      'authorize-client': async () => {
        throw new Error('Unauthorized');
      },
    });

    const response = await fetch(`${url}/v1/referrals`, { headers: { Authorization: 'Bearer nope' } });

    expect(response.status).toBe(401);
  });

  it('answers 403 when the policy denies the method', async () => {
    const url = await start({ 'authorize-client': async () => policy('*', 'Deny') });

    const response = await fetch(`${url}/v1/referrals`, { headers: { Authorization: 'Bearer key' } });

    expect(response.status).toBe(403);
  });

  it('hands the function a REST proxy event with the authorizer context and writes its answer', async () => {
    let authorizerEvent: APIGatewayRequestAuthorizerEvent | undefined;
    let proxyEvent: APIGatewayProxyEvent | undefined;
    const url = await start({
      'authorize-client': async (event) => {
        authorizerEvent = event as APIGatewayRequestAuthorizerEvent;
        return policy('arn:aws:execute-api:eu-west-1:000000000000:local/local/*');
      },
      'receive-signal': async (event) => {
        proxyEvent = event as APIGatewayProxyEvent;
        return {
          statusCode: 202,
          headers: { 'Content-Type': 'application/json' },
          multiValueHeaders: { 'X-A': ['1', '2'] },
          body: '{"ok":true}',
        };
      },
    });

    const response = await fetch(`${url}/v1/signals/abc/withdraw?x=1&x=2`, {
      method: 'POST',
      headers: { Authorization: 'Bearer key', 'Content-Type': 'application/json' },
      body: '{"reason":"moved"}',
    });

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get('x-a')).toBe('1, 2');
    expect(authorizerEvent).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:000000000000:local/local/POST/v1/signals/abc/withdraw',
      resource: '/v1/signals/{id}/withdraw',
    });
    expect(proxyEvent).toMatchObject({
      resource: '/v1/signals/{id}/withdraw',
      path: '/v1/signals/abc/withdraw',
      httpMethod: 'POST',
      pathParameters: { id: 'abc' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      body: '{"reason":"moved"}',
      isBase64Encoded: false,
      requestContext: {
        stage: 'local',
        resourcePath: '/v1/signals/{id}/withdraw',
        authorizer: { principalId: 'client-1', clientId: 'client-1', role: 'school', count: '3' },
      },
    });
    expect(proxyEvent?.headers.Authorization).toBe('Bearer key');
  });

  it('reuses a cached policy for another route, as API Gateway does within the TTL', async () => {
    let calls = 0;
    const ok = async () => ({ statusCode: 200, body: '{}' });
    const url = await start(
      {
        'authorize-client': async (event) => {
          calls += 1;
          return policy((event as APIGatewayRequestAuthorizerEvent).methodArn);
        },
        'track-referral': ok,
      },
      300,
    );
    const headers = { Authorization: 'Bearer key' };

    const first = await fetch(`${url}/v1/referrals`, { headers });
    const second = await fetch(`${url}/v1/referrals/abc`, { headers });

    expect([first.status, second.status, calls]).toEqual([200, 403, 1]);
  });

  it('answers the 500 gateway problem when the function throws', async () => {
    const url = await start({
      'serve-openapi': async () => {
        throw new TypeError('boom');
      },
    });

    const response = await fetch(`${url}/v1/openapi.json`);

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ status: 500, title: 'Internal Server Error' });
  });

  it('answers 413 for a body over API Gateway’s 10 MB without calling the function', async () => {
    let called = false;
    const url = await start({
      'authorize-client': async () => policy('*'),
      'receive-signal': async () => {
        called = true;
        return { statusCode: 202, body: '' };
      },
    });

    const response = await fetch(`${url}/v1/signals`, {
      method: 'POST',
      headers: { Authorization: 'Bearer key' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(called).toBe(false);
  });
});
