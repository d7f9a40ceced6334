import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { API_VERSION, MAX_BODY_BYTES } from '../../../functions/catalog.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../../../functions/shared/errors.js';
import { type ApiRequest, type ApiResult, apiHandler } from '../../../functions/shared/http/api-handler.js';
import { ProblemSchema } from '../../../schemas/problem.js';
import { proxyEvent } from '../../helpers/events.js';
import { referralSubmission } from '../../helpers/factories.js';

const accepted: ApiResult = {
  status: 202,
  headers: { Location: '/v1/signals/5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01' },
  body: { id: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01', status: 'received' },
};

/** The receive-signal and track-referral routes, answered by `route` (a spy). */
function handlerWith(route: (request: ApiRequest) => Promise<ApiResult> = async () => accepted) {
  const spy = vi.fn(route);
  const handler = apiHandler({ 'POST /v1/signals': spy, 'GET /v1/referrals/{id}': spy });
  return { handler, route: spy };
}

const postSignal = (changes: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent => ({
  ...proxyEvent('api-gateway-post-signal.json'),
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
  const problem = ProblemSchema.parse(JSON.parse(response.body));
  expect(problem.status).toBe(response.statusCode);
  return problem;
}

describe('apiHandler', () => {
  describe('a request that reaches its route', () => {
    it('hands the route the client from the authorizer, the user, and the parsed body', async () => {
      const { handler, route } = handlerWith();

      await handler(postSignal());

      expect(route).toHaveBeenCalledTimes(1);
      expect(route.mock.calls[0]?.[0]).toEqual({
        client: {
          clientId: 'school-1',
          name: 'De Regenboog LVS',
          organisation: 'Stichting De Regenboog',
          role: 'school',
          scope: { schoolLocations: ['12AB00', '12AB01'] },
        },
        pathParameters: {},
        query: {},
        body: referralSubmission(),
        user: 'ib.devries',
      });
    });

    it('hands the route the path parameters and no body for a GET', async () => {
      const { handler, route } = handlerWith(async () => ({ status: 200, body: { ok: true } }));

      await handler(proxyEvent('api-gateway-get-referral.json'));

      expect(route.mock.calls[0]?.[0]).toMatchObject({
        client: { role: 'provider', scope: { teamId: 'jgt-amsterdam' } },
        pathParameters: { id: '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02' },
        body: undefined,
        user: 'm.jansen',
      });
    });

    it('answers with the route’s status, headers and JSON body plus the standard headers', async () => {
      const { handler } = handlerWith();

      const response = await handler(postSignal());

      expect(response.statusCode).toBe(202);
      expect(response.headers).toEqual({
        'API-Version': API_VERSION,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Type': 'application/json',
        Location: '/v1/signals/5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
      });
      expect(JSON.parse(response.body)).toEqual(accepted.body);
    });

    it('answers an empty body without a Content-Type when the route returns none', async () => {
      const { handler } = handlerWith(async () => ({ status: 204 }));

      const response = await handler(postSignal());

      expect(response.body).toBe('');
      expect(response.headers).not.toHaveProperty('Content-Type');
      expect(response.headers?.['API-Version']).toBe(API_VERSION);
    });

    it('keeps its own API-Version even when a route sets another', async () => {
      const { handler } = handlerWith(async () => ({
        status: 200,
        headers: { 'API-Version': '0.0.1' },
        body: {},
      }));

      const response = await handler(postSignal());

      expect(response.headers?.['API-Version']).toBe(API_VERSION);
    });

    it('decodes a base64-encoded body', async () => {
      const { handler, route } = handlerWith();
      const event = postSignal();

      await handler({
        ...event,
        body: Buffer.from(event.body as string).toString('base64'),
        isBase64Encoded: true,
      });

      expect(route.mock.calls[0]?.[0].body).toEqual(referralSubmission());
    });

    it.each([
      'application/json',
      'APPLICATION/JSON',
      'application/json;charset=UTF-8',
      'application/merge-patch+json',
    ])('accepts the content type %s', async (contentType) => {
      const { handler, route } = handlerWith();

      const response = await handler(withHeaders(postSignal(), { 'content-type': contentType }));

      expect(response.statusCode).toBe(202);
      expect(route).toHaveBeenCalled();
    });

    it('passes a Schakel-User header whatever its case', async () => {
      const { handler, route } = handlerWith();

      await handler(withHeaders(postSignal(), { 'schakel-user': 'j.devries@regenboog.example' }));

      expect(route.mock.calls[0]?.[0].user).toBe('j.devries@regenboog.example');
    });

    it('passes no user when the header is absent', async () => {
      const { handler, route } = handlerWith();

      await handler(withHeaders(postSignal(), { 'Schakel-User': undefined }));

      expect(route.mock.calls[0]?.[0].user).toBeUndefined();
    });
  });

  describe('errors of the route, as problem+json', () => {
    it.each<[string, unknown, number, string]>([
      [
        'ValidationError',
        new ValidationError([{ name: 'pupil.bsn', reason: 'is not a valid BSN' }]),
        400,
        'Bad Request',
      ],
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

      const response = await handler(postSignal());

      expect(response.statusCode).toBe(status);
      expect(response.headers?.['API-Version']).toBe(API_VERSION);
      expect(problemOf(response)).toMatchObject({ status, title });
    });

    it('lists each bad field in invalidParams of a 400', async () => {
      const invalidParams = [
        { name: 'pupil.bsn', reason: 'is not a valid BSN: 9 digits passing the 11-proof' },
        { name: 'concerns.1', reason: 'must be one of absence, …' },
      ];
      const { handler } = handlerWith(async () => {
        throw new ValidationError(invalidParams);
      });

      const response = await handler(postSignal());

      expect(problemOf(response).invalidParams).toEqual(invalidParams);
    });

    it('names the field in a 403 for a school location outside the scope', async () => {
      const { handler } = handlerWith(async () => {
        throw new ForbiddenError('no', [{ name: 'schoolLocation', reason: 'is not yours' }]);
      });

      const response = await handler(postSignal());

      expect(problemOf(response).invalidParams).toEqual([{ name: 'schoolLocation', reason: 'is not yours' }]);
    });

    it('tells the client when to retry a 503', async () => {
      const { handler } = handlerWith(async () => {
        throw new ServiceUnavailableError('queue down');
      });

      const response = await handler(postSignal());

      expect(response.headers?.['Retry-After']).toMatch(/^\d+$/);
    });

    it('answers an unexpected error with a generic detail and leaks nothing of its message', async () => {
      const { handler } = handlerWith(async () => {
        throw new Error('ValidationException: item SIGNAL#x bsn=999900018 table schakel-state-prod');
      });

      const response = await handler(postSignal());

      expect(response.statusCode).toBe(500);
      expect(problemOf(response).detail).toBe(
        'Something went wrong on our side; retrying with the same sourceId is safe.',
      );
      for (const leak of ['ValidationException', '999900018', 'schakel-state-prod', 'SIGNAL#']) {
        expect(response.body).not.toContain(leak);
      }
    });
  });

  describe('requests refused before the route runs', () => {
    async function refused(event: APIGatewayProxyEvent) {
      const { handler, route } = handlerWith();
      const response = await handler(event);
      expect(route).not.toHaveBeenCalled();
      expect(response.headers?.['API-Version']).toBe(API_VERSION);
      return { response, problem: problemOf(response) };
    }

    it('answers 413 for a body one byte over MAX_BODY_BYTES', async () => {
      const body = JSON.stringify({ summary: 'x'.repeat(MAX_BODY_BYTES) }).slice(0, MAX_BODY_BYTES + 1);

      const { response } = await refused(postSignal({ body }));

      expect(response.statusCode).toBe(413);
    });

    it('counts bytes, not characters: 413 for multi-byte text under the limit in characters', async () => {
      const text = 'é'.repeat(MAX_BODY_BYTES / 2);
      const body = JSON.stringify({ summary: text });
      expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES + 20);

      const { response } = await refused(postSignal({ body }));

      expect(response.statusCode).toBe(413);
    });

    it('accepts a body of exactly MAX_BODY_BYTES', async () => {
      const padding = MAX_BODY_BYTES - JSON.stringify({ summary: '' }).length;
      const body = JSON.stringify({ summary: 'x'.repeat(padding) });
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
      const { handler, route } = handlerWith();

      const response = await handler(postSignal({ body }));

      expect(response.statusCode).toBe(202);
      expect(route).toHaveBeenCalled();
    });

    it.each([
      ['text/plain'],
      ['application/x-www-form-urlencoded'],
      ['multipart/form-data; boundary=x'],
      [undefined],
    ])('answers 415 for a body sent as %s', async (contentType) => {
      const { response } = await refused(withHeaders(postSignal(), { 'Content-Type': contentType }));

      expect(response.statusCode).toBe(415);
    });

    it.each(['{"sourceId": "lvs-1",', "{'a': 1}", 'undefined', '{"a":1}}'])(
      'answers 400 naming the body for the malformed JSON %s',
      async (body) => {
        const { response, problem } = await refused(postSignal({ body }));

        expect(response.statusCode).toBe(400);
        expect(problem.invalidParams).toEqual([{ name: '(body)', reason: 'is not valid JSON' }]);
      },
    );

    it.each([
      ['no authorizer context', undefined],
      ['an authorizer context without role', { clientId: 'c', name: 'n', organisation: 'o', scope: '{}' }],
      ['an unknown role', { clientId: 'c', name: 'n', organisation: 'o', role: 'root', scope: '{}' }],
      [
        'a scope that is not JSON',
        { clientId: 'c', name: 'n', organisation: 'o', role: 'school', scope: '{schoolLocations' },
      ],
    ])('answers 500 for %s', async (_case, authorizer) => {
      const event = postSignal();

      const { response } = await refused({
        ...event,
        requestContext: { ...event.requestContext, authorizer } as APIGatewayProxyEvent['requestContext'],
      });

      expect(response.statusCode).toBe(500);
    });

    it.each(['', 'j de vries', 'x'.repeat(101), '<script>', 'bsn=999900018;'])(
      'answers 400 naming Schakel-User for the header value %j',
      async (user) => {
        const { response, problem } = await refused(withHeaders(postSignal(), { 'Schakel-User': user }));

        expect(response.statusCode).toBe(400);
        expect(problem.invalidParams?.map((p) => p.name)).toEqual(['Schakel-User']);
      },
    );

    it('answers 500 with API-Version for a route it has no handler for', async () => {
      const { response } = await refused({ ...postSignal(), httpMethod: 'DELETE' });

      expect(response.statusCode).toBe(500);
    });
  });
});
