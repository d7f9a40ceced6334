import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authorizeClient } from '../../../functions/authorize-client/authorize-client.js';
import { makeHandler } from '../../../functions/authorize-client/handler.js';
import { clientFromAuthorizerContext } from '../../../functions/shared/http/client-context.js';
import { schoolClient } from '../../helpers/clients.js';
import { authorizerEvent } from '../../helpers/events.js';
import { FakeClientDirectory } from '../../helpers/fakes.js';

const API_KEY = 'sk_test_9f2c4e6a8b0d1f3e5a7c9b1d';

describe('authorizeClient', () => {
  async function setup() {
    const clients = new FakeClientDirectory();
    await clients.putClient(schoolClient(), API_KEY);
    return { clients };
  }

  it('finds the client behind a bearer API key', async () => {
    const deps = await setup();

    const client = await authorizeClient(deps, `Bearer ${API_KEY}`);

    expect(client).toEqual(schoolClient());
    expect(deps.clients.lookups).toEqual([API_KEY]);
  });

  it('ignores whitespace around the header value', async () => {
    const deps = await setup();

    await expect(authorizeClient(deps, `  Bearer ${API_KEY} `)).resolves.toEqual(schoolClient());
  });

  it.each([
    ['a 16-character key', 'k'.repeat(16)],
    ['a 256-character key', 'k'.repeat(256)],
    ['a key with every allowed sign', 'Ab0._~+/=-Ab0._~+/=-'],
  ])('looks up %s', async (_case, key) => {
    const deps = await setup();

    await authorizeClient(deps, `Bearer ${key}`);

    expect(deps.clients.lookups).toEqual([key]);
  });

  it.each<[string, string | undefined]>([
    ['no header', undefined],
    ['an empty header', ''],
    ['the key without a scheme', API_KEY],
    ['the Basic scheme', `Basic ${API_KEY}`],
    ['the Token scheme', `Token ${API_KEY}`],
    ['no space after Bearer', `Bearer${API_KEY}`],
    ['two spaces after Bearer', `Bearer  ${API_KEY}`],
    ['Bearer without a key', 'Bearer '],
    ['a key one character too short', `Bearer ${'k'.repeat(15)}`],
    ['a key one character too long', `Bearer ${'k'.repeat(257)}`],
    ['a key with a space in it', `Bearer ${API_KEY.slice(0, 10)} ${API_KEY.slice(10)}`],
    ['a key with a forbidden sign', `Bearer ${API_KEY}$`],
    ['two keys', `Bearer ${API_KEY}, Bearer ${API_KEY}`],
  ])('answers undefined without a lookup for %s', async (_case, header) => {
    const deps = await setup();

    const client = await authorizeClient(deps, header);

    expect(client).toBeUndefined();
    expect(deps.clients.lookups).toEqual([]);
  });

  it('answers undefined for a well-formed key nobody has', async () => {
    const deps = await setup();

    const client = await authorizeClient(deps, `Bearer ${'z'.repeat(32)}`);

    expect(client).toBeUndefined();
    expect(deps.clients.lookups).toEqual(['z'.repeat(32)]);
  });
});

describe('authorize-client handler', () => {
  const clients = new FakeClientDirectory();
  const handler = makeHandler({ clients });

  beforeAll(async () => {
    await clients.putClient(schoolClient(), API_KEY);
  });

  beforeEach(() => {
    clients.lookups.length = 0;
  });

  async function thrown(event: APIGatewayRequestAuthorizerEvent): Promise<unknown> {
    try {
      await handler(event);
    } catch (error) {
      return error;
    }
    throw new Error('expected the handler to throw');
  }

  const withAuthorization = (value: string | undefined): APIGatewayRequestAuthorizerEvent => {
    const event = authorizerEvent();
    const { Authorization: _dropped, ...headers } = event.headers ?? {};
    return { ...event, headers: value === undefined ? headers : { ...headers, Authorization: value } };
  };

  it('allows every method of the stage for a known key', async () => {
    const result = await handler(authorizerEvent());

    expect(result).toMatchObject({
      principalId: 'school-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:eu-central-1:123456789012:a1b2c3d4e5/prod/*',
          },
        ],
      },
    });
  });

  it('hands API Gateway a context of flat strings that api-handler reads back as the client', async () => {
    const result = (await handler(authorizerEvent())) as { context: Record<string, unknown> };

    for (const value of Object.values(result.context)) expect(typeof value).toBe('string');
    expect(clientFromAuthorizerContext(result.context)).toEqual({ ok: true, client: schoolClient() });
  });

  it('reads a lower-case authorization header', async () => {
    const event = withAuthorization(undefined);

    const result = await handler({
      ...event,
      headers: { ...event.headers, authorization: `Bearer ${API_KEY}` },
    });

    expect(result).toMatchObject({ principalId: 'school-1' });
  });

  it.each<[string, string | undefined]>([
    ['an unknown key', `Bearer ${'z'.repeat(32)}`],
    ['no Authorization header', undefined],
    ['a malformed header', `Basic ${API_KEY}`],
  ])('throws exactly Error("Unauthorized") for %s', async (_case, authorization) => {
    const error = await thrown(withAuthorization(authorization));

    expect(error).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(error)).toBe(Error.prototype);
    expect((error as Error).message).toBe('Unauthorized');
  });

  it('throws Unauthorized for an event without headers', async () => {
    const error = await thrown({ ...authorizerEvent(), headers: null });

    expect((error as Error).message).toBe('Unauthorized');
    expect(clients.lookups).toEqual([]);
  });
});
