import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Client, ClientSchema } from '../../../schemas/client.js';
import type { ClientDirectory } from '../ports/client-directory.js';

export function apiKeyHash(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

export class DynamoDbClientDirectory implements ClientDirectory {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findByApiKey(apiKey: string): Promise<Client | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `CLIENT#${apiKeyHash(apiKey)}`, sk: 'CLIENT' },
      }),
    );
    if (!Item) return undefined;
    return ClientSchema.parse(Item.client);
  }

  async putClient(client: Client, apiKey: string): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `CLIENT#${apiKeyHash(apiKey)}`,
          sk: 'CLIENT',
          entity: 'client',
          client: ClientSchema.parse(client),
        },
      }),
    );
  }
}
