import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { type Implementations, operations } from '../../../functions/shared/declarations.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidCursorError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../../../functions/shared/errors.js';
import { apiHandler } from '../../../functions/shared/http/api-handler.js';
import { nestingDepth } from '../../../functions/shared/http/request-middlewares.js';
import { API_VERSION, MAX_BODY_BYTES } from '../../../schemas/api.js';
import { IdSchema } from '../../../schemas/common.js';
import { ProblemSchema } from '../../../schemas/problem.js';
import { schoolClient, teamClient } from '../../helpers/clients.js';
import { proxyEvent } from '../../helpers/events.js';

// The HTTP plumbing every API function shares, on two operations made for this test: a POST with
// a body for schools and a GET with a path parameter and a query for teams.

const TEST_OPERATIONS = operations({
  createThing: {
    method: 'POST',
    path: '/v1/signals',
    summary: 'test',
    description: 'test',
    roles: ['school'],
    body: {
      schema: z.strictObject({ name: z.string().min(1).max(20), count: z.number().int().min(1).optional() }),
      required: true,
    },
    responses: {
      202: { description: 'accepted', schema: z.object({ id: z.string() }), headers: { Location: 'x' } },
    },
  },
  readThing: {
    method: 'GET',
    path: '/v1/referrals/{id}',
    summary: 'test',
    description: 'test',
    roles: ['provider'],
    pathParameters: z.strictObject({ id: IdSchema }),
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
    responses: { 200: { description: 'ok', schema: z.object({ id: z.string() }) } },
  },
});

type Impl = Implementations<typeof TEST_OPERATIONS, undefined>;

function handlerWith(create?: Impl['createThing'], read?: Impl['readThing']) {
  const spies = {
    createThing: vi.fn(
      create ??
        (async () => ({ status: 202 as const, headers: { Location: '/v1/signals/1' }, body: { id: '1' } })),
    ),
    readThing: vi.fn(read ?? (async ({ path }) => ({ status: 200 as const, body: { id: path.id } }))),
  };
  const handler = apiHandler(TEST_OPERATIONS, spies, undefined);
  return { handler, ...spies };
}

const postBody = { name: 'Wilgenhoek', count: 2 };

function post(changes: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return { ...proxyEvent('api-gateway-post-signal.json'), body: JSON.stringify(postBody), ...changes };
}

const get = (changes: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent => ({
  ...proxyEvent('api-gateway-get-referral.json'),
  ...changes,
});

function withHeaders(
  event: APIGatewayProxyEvent,
  headers: Record<string, string | undefined>,
): APIGatewayProxyEvent {
  const merged: Record<string, string | undefined> = { ...event.headers };
  for (const [name, value] of Object.entries(headers)) {
    for (const key of Object.keys(merged)) if (key.toLowerCase() === name.toLowerCase()) delete merged[key];
    if (value !== undefined) merged[name] = value;
  }
  return { ...event, headers: merged };
}

function problemOf(response: APIGatewayProxyResult) {
  expect(response.headers?.['Content-Type']).toBe('application/problem+json');
  expect(response.headers?.['API-Version']).toBe(API_VERSION);
  const problem = ProblemSchema.parse(JSON.parse(response.body));
  expect(problem.status).toBe(response.statusCode);
  return problem;
}

const names = (response: APIGatewayProxyResult) =>
  (problemOf(response).invalidParams ?? []).map((p) => p.name);

describe('apiHandler', () => {
  describe('a valid request', () => {
    it('hands the implementation the client from the authorizer, the user and the parsed body', async () => {
      const { handler, createThing } = handlerWith();

      await handler(post());

      expect(createThing).toHaveBeenCalledTimes(1);
      expect(createThing.mock.calls[0]?.[0]).toEqual({
        client: schoolClient(),
        user: 'ib.devries',
        path: {},
        query: {},
        body: postBody,
      });
    });

    it('hands over path and query as their schemas parse them, defaults included', async () => {
      const { handler, readThing } = handlerWith();

      await handler(get());

      expect(readThing.mock.calls[0]?.[0]).toEqual({
        client: teamClient('jgt-amsterdam'),
        user: 'm.jansen',
        path: { id: '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02' },
        query: { limit: 50 },
        body: undefined,
      });
    });

    it('answers with the declared status, headers and JSON body plus the standard headers', async () => {
      const { handler } = handlerWith();

      const response = await handler(post());

      expect(response.statusCode).toBe(202);
      expect(response.headers).toEqual({
        'API-Version': API_VERSION,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Type': 'application/json',
        Location: '/v1/signals/1',
      });
      expect(JSON.parse(response.body)).toEqual({ id: '1' });
    });

    it('decodes a base64-encoded body', async () => {
      const { handler, createThing } = handlerWith();

      await handler(
        post({ body: Buffer.from(JSON.stringify(postBody)).toString('base64'), isBase64Encoded: true }),
      );

      expect(createThing.mock.calls[0]?.[0]?.body).toEqual(postBody);
    });

    it.each([
      'application/json',
      'APPLICATION/JSON',
      'application/json;charset=UTF-8',
      'application/merge-patch+json',
    ])('accepts the content type %s', async (contentType) => {
      const { handler, createThing } = handlerWith();

      const response = await handler(withHeaders(post(), { 'content-type': contentType }));

      expect(response.statusCode).toBe(202);
      expect(createThing).toHaveBeenCalled();
    });

    it('passes a Schakel-User header whatever its case, and none when absent', async () => {
      const { handler, createThing } = handlerWith();

      await handler(withHeaders(post(), { 'schakel-user': 'j.devries' }));
      await handler(withHeaders(post(), { 'Schakel-User': undefined }));

      expect(createThing.mock.calls.map((c) => c[0]?.user)).toEqual(['j.devries', undefined]);
    });
  });

  describe('errors of the implementation, as problem+json', () => {
    it.each<[string, unknown, number, string]>([
      [
        'ValidationError',
        new ValidationError([{ name: 'pupil.bsn', reason: 'is not a valid BSN' }]),
        400,
        'Bad Request',
      ],
      ['InvalidCursorError', new InvalidCursorError('belongs to another query'), 400, 'Bad Request'],
      ['NotFoundError', new NotFoundError(), 404, 'Not Found'],
      ['ForbiddenError', new ForbiddenError('Not your school location.'), 403, 'Forbidden'],
      ['ConflictError', new ConflictError('sourceId used with other content'), 409, 'Conflict'],
      [
        'ServiceUnavailableError',
        new ServiceUnavailableError('queue down; send again'),
        503,
        'Service Unavailable',
      ],
      [
        'an unexpected Error',
        new TypeError('Cannot read properties of undefined'),
        500,
        'Internal Server Error',
      ],
      ['a thrown string', 'boom', 500, 'Internal Server Error'],
    ])('maps %s to %i with API-Version', async (_case, thrown, status, title) => {
      const { handler } = handlerWith(async () => {
        throw thrown;
      });

      const response = await handler(post());

      expect(response.statusCode).toBe(status);
      expect(problemOf(response)).toMatchObject({ status, title });
    });

    const awsError = (name: string, fault: 'client' | 'server', extra: object = {}) =>
      Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: 400 }, ...extra });

    it.each<[string, unknown, number]>([
      ['an AWS server fault', awsError('InternalServerError', 'server'), 503],
      ['DynamoDB throttling', awsError('ProvisionedThroughputExceededException', 'client'), 503],
      ['a transaction conflict', awsError('TransactionConflictException', 'client'), 503],
      ['a retryable AWS error', awsError('SomethingTransient', 'client', { $retryable: {} }), 503],
      [
        'a refused connection',
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        503,
      ],
      ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 503],
      ['an AWS validation error (ours to fix)', awsError('ValidationException', 'client'), 500],
      ['a missing table (ours to fix)', awsError('ResourceNotFoundException', 'client'), 500],
    ])('answers %s with %i', async (_case, thrown, status) => {
      const { handler } = handlerWith(async () => {
        throw thrown;
      });

      const response = await handler(post());

      expect(problemOf(response).status).toBe(status);
      if (status === 503) expect(response.headers?.['Retry-After']).toMatch(/^\d+$/);
    });

    it('names the cursor for a cursor this API did not issue', async () => {
      const { handler } = handlerWith(async () => {
        throw new InvalidCursorError('is not a cursor this API issued');
      });

      expect(problemOf(await handler(post())).invalidParams).toEqual([
        { name: 'cursor', reason: 'is not a cursor this API issued' },
      ]);
    });

    it('names the existing signal in a 409 for a reused sourceId: extension member and Location', async () => {
      const id = '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01';
      const { handler } = handlerWith(async () => {
        throw new ConflictError('used', { signalId: id, location: `/v1/signals/${id}` });
      });

      const response = await handler(post());

      expect(problemOf(response)).toMatchObject({ status: 409, signalId: id });
      expect(response.headers?.Location).toBe(`/v1/signals/${id}`);
    });

    it('names the field in a 403 for a school location outside the scope', async () => {
      const { handler } = handlerWith(async () => {
        throw new ForbiddenError('no', [{ name: 'schoolLocation', reason: 'is not yours' }]);
      });

      expect(problemOf(await handler(post())).invalidParams).toEqual([
        { name: 'schoolLocation', reason: 'is not yours' },
      ]);
    });

    it('tells the client when to retry a 503', async () => {
      const { handler } = handlerWith(async () => {
        throw new ServiceUnavailableError('queue down');
      });

      expect((await handler(post())).headers?.['Retry-After']).toMatch(/^\d+$/);
    });

    it('answers an unexpected error with a generic detail and leaks nothing of its message', async () => {
      const { handler } = handlerWith(async () => {
        throw new Error('ValidationException: item SIGNAL#x bsn=999900018 table schakel-state-prod');
      });

      const response = await handler(post());

      expect(problemOf(response).detail).toBe(
        'Something went wrong on our side; retrying the same request is safe (a signal is never stored twice for one sourceId).',
      );
      for (const leak of ['ValidationException', '999900018', 'schakel-state-prod', 'SIGNAL#']) {
        expect(response.body).not.toContain(leak);
      }
    });
  });

  describe('requests refused before the implementation runs', () => {
    async function refused(event: APIGatewayProxyEvent) {
      const { handler, createThing, readThing } = handlerWith();
      const response = await handler(event);
      expect(createThing).not.toHaveBeenCalled();
      expect(readThing).not.toHaveBeenCalled();
      return { response, problem: problemOf(response) };
    }

    it('answers 403 to a role the operation is not for, before looking at the body', async () => {
      const event = post({ body: '{not json' });
      const team = get().requestContext.authorizer;

      const { response } = await refused({
        ...event,
        requestContext: { ...event.requestContext, authorizer: team },
      });

      expect(response.statusCode).toBe(403);
    });

    it('answers 413 for a body one byte over MAX_BODY_BYTES', async () => {
      const body = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) }).slice(0, MAX_BODY_BYTES + 1);

      expect((await refused(post({ body }))).response.statusCode).toBe(413);
    });

    it('counts bytes, not characters: 413 for multi-byte text under the limit in characters', async () => {
      const body = JSON.stringify({ name: 'é'.repeat(MAX_BODY_BYTES / 2) });
      expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES + 20);

      expect((await refused(post({ body }))).response.statusCode).toBe(413);
    });

    it('reads a body of exactly MAX_BODY_BYTES (and then judges it by its schema)', async () => {
      const padding = MAX_BODY_BYTES - JSON.stringify({ name: '' }).length;
      const body = JSON.stringify({ name: 'x'.repeat(padding) });
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);

      const { response, problem } = await refused(post({ body }));

      expect(response.statusCode).toBe(400);
      expect(problem.invalidParams).toEqual([{ name: 'name', reason: 'must be at most 20 characters' }]);
    });

    it.each([
      ['text/plain'],
      ['application/x-www-form-urlencoded'],
      ['multipart/form-data; boundary=x'],
      [undefined],
    ])('answers 415 for a body sent as %s', async (contentType) => {
      expect((await refused(withHeaders(post(), { 'Content-Type': contentType }))).response.statusCode).toBe(
        415,
      );
    });

    it.each(['{"name": "lvs-1",', "{'a': 1}", 'undefined', '{"a":1}}'])(
      'answers 400 naming the body for the malformed JSON %s',
      async (body) => {
        const { response, problem } = await refused(post({ body }));

        expect(response.statusCode).toBe(400);
        expect(problem.invalidParams).toEqual([{ name: '(body)', reason: 'is not valid JSON' }]);
      },
    );

    it('answers 400 for a __proto__ key rather than letting it reach a schema', async () => {
      const { response, problem } = await refused(post({ body: '{"name":"x","__proto__":{"admin":true}}' }));

      expect(response.statusCode).toBe(400);
      expect(problem.invalidParams?.map((p) => p.name)).toEqual(['(body)']);
    });

    it('names a body that is not JSON beside the other bad parts of the request', async () => {
      const event = withHeaders(post({ body: '{"name": "Wilgenhoek",' }), { 'Schakel-User': 'j@school.nl' });

      const { response, problem } = await refused(event);

      expect(response.statusCode).toBe(400);
      expect(problem.invalidParams?.map((p) => p.name)).toEqual(['Schakel-User', '(body)']);
    });

    it('judges a body of JSON null by the schema instead of taking it for no body', async () => {
      const { problem } = await refused(post({ body: 'null' }));

      expect(problem.invalidParams).toEqual([{ name: '(body)', reason: 'must be an object' }]);
    });

    it.each([
      ['arrays', (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
      ['objects', (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
    ])(
      'answers 400 to a body of %s nested thousands deep, without overflowing the stack',
      async (_, nest) => {
        const body = `{"name":"x","count":${nest(5000)}}`;
        expect(Buffer.byteLength(body)).toBeLessThan(MAX_BODY_BYTES);

        const { response, problem } = await refused(post({ body }));

        expect(response.statusCode).toBe(400);
        expect(problem.invalidParams).toEqual([
          { name: '(body)', reason: 'must not nest deeper than 32 levels' },
        ]);
      },
    );

    it('refuses a base64-encoded body whose bytes are not UTF-8, rather than storing U+FFFD', async () => {
      const bytes = Buffer.from([...Buffer.from('{"name":"'), 0xff, 0xfe, 0xc3, 0x28, ...Buffer.from('"}')]);

      const { response, problem } = await refused(
        post({ body: bytes.toString('base64'), isBase64Encoded: true }),
      );

      expect(response.statusCode).toBe(400);
      expect(problem.invalidParams).toEqual([{ name: '(body)', reason: 'must be UTF-8 text' }]);
    });

    it('counts nesting on the text, not brackets inside strings', () => {
      expect(nestingDepth('{"a":"[[[{{\\"[[","b":[{"c":[]}]}')).toBe(4);
      expect(nestingDepth('"[[["')).toBe(0);
    });

    it('answers 400 "is required" for a missing body', async () => {
      const { problem } = await refused(post({ body: null }));

      expect(problem.invalidParams).toEqual([{ name: '(body)', reason: 'is required' }]);
    });

    it('names every bad part of a request at once: path, query, header', async () => {
      const event = withHeaders(
        get({ pathParameters: { id: 'not-a-uuid' }, queryStringParameters: { limit: '0', format: 'csv' } }),
        { 'Schakel-User': 'j de vries' },
      );

      const { response, problem } = await refused(event);

      expect(response.statusCode).toBe(400);
      expect(problem.invalidParams).toEqual([
        { name: 'id', reason: 'must be a UUID' },
        { name: 'limit', reason: 'must be at least 1' },
        { name: 'format', reason: 'is not a query parameter of this operation' },
        {
          name: 'Schakel-User',
          reason:
            'must be an opaque user id: 1–100 letters, digits, . _ : - (never an e-mail address or a BSN)',
        },
      ]);
    });

    it('names a query parameter given more than once, whose last value API Gateway would pass on', async () => {
      const event = get({
        pathParameters: { id: '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02' },
        queryStringParameters: { limit: '1' },
        multiValueQueryStringParameters: { limit: ['100', '1'] },
      });

      const { problem } = await refused(event);

      expect(problem.invalidParams).toEqual([{ name: 'limit', reason: 'is given more than once' }]);
    });

    it('words the reasons as sentences, never zod’s own', async () => {
      const { problem } = await refused(
        post({ body: JSON.stringify({ name: '', count: 1.5, extra: true }) }),
      );

      expect(problem.invalidParams).toEqual([
        { name: 'name', reason: 'must not be empty' },
        { name: 'count', reason: 'must be a whole number' },
        { name: 'extra', reason: 'is not a known field' },
      ]);
    });

    it.each([
      ['no authorizer context', undefined],
      ['an authorizer context without role', { clientId: 'c', name: 'n', organisation: 'o', scope: '{}' }],
      ['an unknown role', { clientId: 'c', name: 'n', organisation: 'o', role: 'root', scope: '{}' }],
      [
        'a scope that is not JSON',
        { clientId: 'c', name: 'n', organisation: 'o', role: 'school', scope: '{schoolLocations' },
      ],
    ])('answers 500 for %s (a wiring fault, not the client’s)', async (_case, authorizer) => {
      const event = post();

      const { response } = await refused({
        ...event,
        requestContext: { ...event.requestContext, authorizer } as APIGatewayProxyEvent['requestContext'],
      });

      expect(response.statusCode).toBe(500);
    });

    it.each([
      '',
      'j de vries',
      'x'.repeat(101),
      '<script>',
      'bsn=999900018;',
      'ib@school.example',
      '999900018',
      'user-999900018-x',
      'on-101000012',
      '9999.00.018',
      '999-900-018',
      '9999_00018',
      'u:999:900:018',
    ])('answers 400 naming Schakel-User for the header value %j', async (user) => {
      const { response } = await refused(withHeaders(post(), { 'Schakel-User': user }));

      expect(names(response)).toEqual(['Schakel-User']);
    });

    it.each(['mw-042', '12345678', '123456789', 'HR:000123', '999.900.01a8', 'ib.devries-2026.11'])(
      'accepts the opaque user id %j (no e-mail address, no number passing the 11-proof)',
      async (user) => {
        const { handler, createThing } = handlerWith();

        const response = await handler(withHeaders(post(), { 'Schakel-User': user }));

        expect(response.statusCode).toBe(202);
        expect(createThing.mock.calls[0]?.[0]?.user).toBe(user);
      },
    );

    it('answers 500 with API-Version for a route the function does not serve', async () => {
      const { response } = await refused({ ...post(), httpMethod: 'DELETE' });

      expect(response.statusCode).toBe(500);
    });
  });
});

describe('apiHandler with a batch operation', () => {
  const LIMIT = 4 * MAX_BODY_BYTES;
  const BATCH = operations({
    createThings: {
      method: 'POST',
      path: '/v1/signal-batches',
      summary: 'test',
      description: 'test',
      roles: ['school'],
      maxBodyBytes: LIMIT,
      body: {
        schema: z.strictObject({ label: z.string().optional(), things: z.array(z.unknown()).min(1).max(3) }),
        required: true,
        batchItems: 'things',
      },
      responses: { 207: { description: 'one result per thing', schema: z.object({ count: z.number() }) } },
    },
  });

  function batchHandler() {
    const createThings = vi.fn<Implementations<typeof BATCH, undefined>['createThings']>(
      async ({ body }) => ({ status: 207, body: { count: body.things.length } }),
    );
    return { handler: apiHandler(BATCH, { createThings }, undefined), createThings };
  }

  const batch = (body: string): APIGatewayProxyEvent => ({
    ...post({ body }),
    resource: '/v1/signal-batches',
    path: '/v1/signal-batches',
  });

  it('reads a body over MAX_BODY_BYTES up to the operation’s own limit', async () => {
    const { handler, createThings } = batchHandler();
    const things = [{ text: 'x'.repeat(LIMIT / 2) }];
    const body = JSON.stringify({ things });
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES);

    const response = await handler(batch(body));

    expect(response.statusCode).toBe(207);
    expect(createThings.mock.calls[0]?.[0]?.body).toEqual({ things });
  });

  it('answers 413 naming the operation’s limit for a body one byte over it', async () => {
    const { handler, createThings } = batchHandler();
    const padding = LIMIT + 1 - JSON.stringify({ things: [''] }).length;
    const body = JSON.stringify({ things: ['x'.repeat(padding)] });
    expect(Buffer.byteLength(body)).toBe(LIMIT + 1);

    const response = await handler(batch(body));

    expect(response.statusCode).toBe(413);
    expect(problemOf(response).detail).toContain(String(LIMIT));
    expect(createThings).not.toHaveBeenCalled();
  });

  it('leaves text that is not Unicode inside an item to the implementation, which judges items', async () => {
    const { handler, createThings } = batchHandler();

    const response = await handler(batch(JSON.stringify({ things: [{ text: 'a\ud800b' }, 'ok'] })));

    expect(response.statusCode).toBe(207);
    expect(createThings).toHaveBeenCalledTimes(1);
  });

  it.each<[string, unknown, string[]]>([
    ['a lone surrogate beside the items', { label: 'x\udc00', things: ['ok'] }, ['label']],
    ['no items', { things: [] }, ['things']],
    ['four items', { things: [1, 2, 3, 4] }, ['things']],
    ['items that are no list', { things: { 0: 'a' } }, ['things']],
    ['an unknown field', { things: [1], more: [2] }, ['more']],
    ['a list for a body', [{ things: [1] }], ['(body)']],
  ])('refuses the whole request for %s, naming it', async (_case, body, expected) => {
    const { handler, createThings } = batchHandler();

    const response = await handler(batch(JSON.stringify(body)));

    expect(response.statusCode).toBe(400);
    expect(names(response)).toEqual(expected);
    expect(createThings).not.toHaveBeenCalled();
  });
});
