import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// Created once per cold start and reused across invocations (AWS Lambda best practice:
// connection reuse). The endpoint is only set for DynamoDB Local (local mode and tests).

export interface DynamoDbClientOptions {
  AWS_REGION: string;
  DYNAMODB_ENDPOINT?: string | undefined;
}

export function createDocumentClient(options: DynamoDbClientOptions): DynamoDBDocumentClient {
  const endpoint = options.DYNAMODB_ENDPOINT;
  const base = new DynamoDBClient({
    region: options.AWS_REGION,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

/** DynamoDB Streams answers on the same endpoint as DynamoDB (DynamoDB Local serves both). */
export function createStreamsClient(options: DynamoDbClientOptions): DynamoDBStreamsClient {
  const endpoint = options.DYNAMODB_ENDPOINT;
  return new DynamoDBStreamsClient({
    region: options.AWS_REGION,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
