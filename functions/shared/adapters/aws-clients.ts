import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// One SDK client per service per cold start, reused across invocations (AWS Lambda best
// practice: connection reuse). Endpoints are only set for the emulators of local mode and tests.

export interface AwsClientOptions {
  region: string;
  dynamodbEndpoint?: string | undefined;
  sqsEndpoint?: string | undefined;
}

let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;

function emulatorCredentials(endpoint: string | undefined) {
  return endpoint ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};
}

export function createDocumentClient(options: AwsClientOptions): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    region: options.region,
    ...(options.dynamodbEndpoint ? { endpoint: options.dynamodbEndpoint } : {}),
    ...emulatorCredentials(options.dynamodbEndpoint),
  });
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

export function createSqsClient(options: AwsClientOptions): SQSClient {
  // fauxqs queue URLs name the host sqs.<region>.localhost, which does not resolve here; an
  // explicit endpoint makes the SDK send to the emulator whatever the queue URL says.
  return new SQSClient({
    region: options.region,
    ...(options.sqsEndpoint ? { endpoint: options.sqsEndpoint, useQueueUrlAsEndpoint: false } : {}),
    ...emulatorCredentials(options.sqsEndpoint),
  });
}

export function sharedDocumentClient(options: AwsClientOptions): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient(options);
  return documentClient;
}

export function sharedSqsClient(options: AwsClientOptions): SQSClient {
  sqsClient ??= createSqsClient(options);
  return sqsClient;
}
