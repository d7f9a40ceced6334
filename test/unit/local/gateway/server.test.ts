import { connect } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../../../functions/registry.js';
import { type Gateway, startGateway } from '../../../../local/gateway/server.js';
import type { LocalFunction } from '../../../../local/runtime/local-function.js';

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

/** Sends bytes as they are (fetch would refuse them) and reads until the server closes. */
function rawExchange(url: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error(`no answer; got ${JSON.stringify(received)}`)));
    socket.end(bytes);
  });
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

  it('answers 400 for a request target that is no URL, and keeps serving', async () => {
    const url = await start({ 'serve-openapi': async () => ({ statusCode: 200, body: '{}' }) });

    const answer = await rawExchange(
      url,
      'GET http://a:99999/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const next = await fetch(`${url}/v1/openapi.json`);

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('application/problem+json');
    expect(next.status).toBe(200);
  });

  it('closes the connection on bytes that are not HTTP, and keeps serving', async () => {
    const url = await start({ 'serve-openapi': async () => ({ statusCode: 200, body: '{}' }) });

    const answer = await rawExchange(url, '\x00\x01 not http at all\r\n\r\n');
    const next = await fetch(`${url}/v1/openapi.json`);

    expect(answer).toMatch(/^(HTTP\/1\.1 400 |$)/);
    expect(next.status).toBe(200);
  });

  it('keeps serving when handling a request throws outside any route', async () => {
    gateway = await startGateway({
      port: 0,
      region: 'eu-west-1',
      functions: functions({}),
      authorizer: { identitySources: ['method.request.header.Authorization'], resultTtlSeconds: 0 },
      log: {
        info: () => {
          throw new Error('console gone');
        },
        error: () => undefined,
      },
    });

    const first = await fetch(`${gateway.url}/v1/unknown`);
    const second = await fetch(`${gateway.url}/v1/unknown`);

    expect([first.status, second.status]).toEqual([404, 404]);
  });

  it('hands headers and query parameters named like Object.prototype members over as data', async () => {
    let event: APIGatewayProxyEvent | undefined;
    const url = await start({
      'serve-openapi': async (e) => {
        event = e as APIGatewayProxyEvent;
        return { statusCode: 200, body: '{}' };
      },
    });

    // Raw bytes: fetch silently drops a header named __proto__.
    const answer = await rawExchange(
      url,
      'GET /v1/openapi.json?toString=1&__proto__=2&constructor=3 HTTP/1.1\r\nHost: x\r\n' +
        '__proto__: a\r\nconstructor: b\r\nhasOwnProperty: c\r\nvalueOf: d\r\nConnection: close\r\n\r\n',
    );

    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(Object.getPrototypeOf(event?.headers)).toBe(Object.prototype);
    expect(Object.hasOwn(event?.headers ?? {}, '__proto__')).toBe(true);
    expect(event?.multiValueHeaders.constructor).toEqual(['b']);
    expect(event?.headers.valueOf).toBe('d');
    expect(Object.hasOwn(event?.queryStringParameters ?? {}, '__proto__')).toBe(true);
    expect(event?.multiValueQueryStringParameters?.toString).toEqual(['1']);
    expect(event?.queryStringParameters?.constructor).toBe('3');
  });

  it('passes a body that is not UTF-8 base64-encoded instead of replacing its bytes', async () => {
    const events: APIGatewayProxyEvent[] = [];
    const url = await start({
      'authorize-client': async () => policy('arn:aws:execute-api:eu-west-1:000000000000:local/local/*'),
      'receive-signal': async (e) => {
        events.push(e as APIGatewayProxyEvent);
        return { statusCode: 202, body: '{}' };
      },
    });
    const send = (body: Uint8Array) =>
      fetch(`${url}/v1/signals`, {
        method: 'POST',
        headers: { Authorization: 'Bearer key', 'Content-Type': 'application/json' },
        body,
      });
    const broken = Buffer.from([
      ...Buffer.from('{"summary":"'),
      0xff,
      0xfe,
      0xc3,
      0x28,
      ...Buffer.from('"}'),
    ]);

    await send(broken);
    await send(Buffer.from('{"summary":"café ✓"}'));

    expect(events.map((e) => [e.body, e.isBase64Encoded])).toEqual([
      [broken.toString('base64'), true],
      ['{"summary":"café ✓"}', false],
    ]);
  });

  it('logs a client that leaves mid-body as 499, not as a failure of the gateway', async () => {
    const lines: string[] = [];
    const errors: unknown[] = [];
    let invoked = false;
    gateway = await startGateway({
      port: 0,
      region: 'eu-west-1',
      functions: functions({
        'authorize-client': async () => policy('arn:aws:execute-api:eu-west-1:000000000000:local/local/*'),
        'receive-signal': async () => {
          invoked = true;
          return { statusCode: 202, body: '{}' };
        },
      }),
      authorizer: { identitySources: ['method.request.header.Authorization'], resultTtlSeconds: 0 },
      log: { info: (line: string) => lines.push(line), error: (...args: unknown[]) => errors.push(args) },
    });
    const socket = connect(gateway.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /v1/signals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a"',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();

    await expect
      .poll(() => lines.join('\n'))
      .toMatch(/POST \/v1\/signals 499 client closed the connection mid-body/);
    expect(errors).toEqual([]);
    expect(invoked).toBe(false);
  });

  it('answers 500 without the headers of a proxy result it cannot write', async () => {
    const url = await start({
      'serve-openapi': async () => ({
        statusCode: 200,
        multiValueHeaders: { 'X-Written': ['yes'] },
        headers: { 'X-Broken': 'line\nbreak' },
        body: '{}',
      }),
    });

    const response = await fetch(`${url}/v1/openapi.json`);

    expect(response.status).toBe(500);
    expect(response.headers.get('x-written')).toBeNull();
    expect(await response.json()).toMatchObject({ status: 500 });
  });
});

describe('Gateway.stop', () => {
  /** A function that starts and then waits until the test lets it answer (or never). */
  function held() {
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const invoke = async () => {
      started();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return { statusCode: 200, body: '{}' };
    };
    return { invoke, running, release: () => release() };
  }

  const outcome = (request: Promise<Response>) =>
    request.then(
      (response) => response.status,
      (error: { cause?: { code?: string } }) => error.cause?.code,
    );

  it('lets a request in flight finish with Connection: close, and refuses new connections', async () => {
    const fn = held();
    const url = await start({ 'serve-openapi': fn.invoke });
    const inFlight = fetch(`${url}/v1/openapi.json`);
    await fn.running;

    const stopping = gateway?.stop();
    const refused = await outcome(fetch(`${url}/v1/openapi.json`));
    fn.release();
    const response = await inFlight;
    await stopping;

    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(refused).toBe('ECONNREFUSED');
  });

  it('closes a request still running when the grace period ends', async () => {
    const fn = held();
    const url = await start({ 'serve-openapi': fn.invoke });
    const inFlight = outcome(fetch(`${url}/v1/openapi.json`));
    await fn.running;

    const began = Date.now();
    await gateway?.stop({ graceMs: 200 });
    const took = Date.now() - began;
    fn.release();

    expect(await inFlight).toBe('UND_ERR_SOCKET');
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
  });
});
