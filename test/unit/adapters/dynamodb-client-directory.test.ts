import { createHash } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/shared/adapters/dynamodb-client.js';
import {
  apiKeyHash,
  DynamoDbClientDirectory,
} from '../../../functions/shared/adapters/dynamodb-client-directory.js';
import { schoolClient } from '../../helpers/clients.js';

const TABLE = 'schakel-state';
const API_KEY = 'sk_test_9f2c4e6a8b0d1f3e5a7c9b1d';
const dynamo = mockClient(DynamoDBDocumentClient);
const directory = new DynamoDbClientDirectory(createDocumentClient({ AWS_REGION: 'eu-central-1' }), TABLE);
const key = { pk: `CLIENT#${apiKeyHash(API_KEY)}`, sk: 'CLIENT' };

afterAll(() => dynamo.restore());
beforeEach(() => dynamo.reset());

describe('DynamoDbClientDirectory', () => {
  it('keys a client by the SHA-256 of its API key, never the key itself', async () => {
    dynamo.on(PutCommand).resolves({});

    await directory.putClient(schoolClient(), API_KEY);

    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({ ...key, entity: 'client', client: schoolClient() });
    expect(apiKeyHash(API_KEY)).toBe(createHash('sha256').update(API_KEY).digest('hex'));
    expect(JSON.stringify(item)).not.toContain(API_KEY);
  });

  it('looks a key up by its hash and answers the stored client', async () => {
    dynamo
      .on(GetCommand, { TableName: TABLE, Key: key })
      .resolves({ Item: { ...key, client: schoolClient() } });

    await expect(directory.findByApiKey(API_KEY)).resolves.toEqual(schoolClient());
    const asked = dynamo.commandCalls(GetCommand).map((call) => call.args[0].input.Key);
    expect(asked).toEqual([key]);
  });

  it('answers undefined for a key nobody has', async () => {
    dynamo.on(GetCommand).resolves({});

    await expect(directory.findByApiKey('z'.repeat(32))).resolves.toBeUndefined();
  });
});
