import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../functions/shared/adapters/dynamodb-client.js';
import { createSqsClient } from '../../functions/shared/adapters/sqs-client.js';
import { AUDIT_TABLE, STATE_TABLE } from '../../functions/shared/adapters/state-table.js';
import { teamDeadLetterQueueName, teamQueueName } from '../../functions/shared/adapters/team-queue-name.js';

// Real AWS SDK clients against the emulators started by global-setup.ts, with helpers to create
// throw-away tables and queues shaped like the ones the CDK app declares.

export interface EmulatedAws {
  documents: DynamoDBDocumentClient;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
}

export function emulatedAws(): EmulatedAws {
  const region = inject('region');
  const dynamodbEndpoint = inject('dynamodbEndpoint');
  const sqsEndpoint = inject('sqsEndpoint');
  const documents = createDocumentClient({ AWS_REGION: region, DYNAMODB_ENDPOINT: dynamodbEndpoint });
  return {
    documents,
    dynamodb: documents as unknown as DynamoDBClient,
    sqs: createSqsClient({ AWS_REGION: region, SQS_ENDPOINT: sqsEndpoint }),
    region,
    dynamodbEndpoint,
    sqsEndpoint,
  };
}

const S = 'S' as const;

export async function createStateTable(aws: EmulatedAws): Promise<string> {
  const name = `state-${randomUUID()}`;
  await createStateTableNamed(aws.documents, name);
  await aws.documents.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: true, AttributeName: STATE_TABLE.timeToLiveAttribute },
    }),
  );
  return name;
}

export async function createAuditTable(aws: EmulatedAws): Promise<string> {
  const name = `audit-${randomUUID()}`;
  await aws.documents.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        ...new Set([
          AUDIT_TABLE.partitionKey,
          AUDIT_TABLE.sortKey,
          ...Object.values(AUDIT_TABLE.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
        ]),
      ].map((AttributeName) => ({ AttributeName, AttributeType: S })),
      GlobalSecondaryIndexes: Object.entries(AUDIT_TABLE.indexes).map(([IndexName, index]) => ({
        IndexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projected] },
      })),
    }),
  );
  return name;
}

export async function deleteTable(aws: EmulatedAws, name: string): Promise<void> {
  await aws.documents.send(new DeleteTableCommand({ TableName: name }));
}

/** A queue with a DLQ (maxReceiveCount as given), like the CDK app's queue-with-DLQ construct. */
export async function createQueueWithDlq(
  aws: EmulatedAws,
  name: string,
  dlqName: string,
  options: { maxReceiveCount?: number; visibilityTimeout?: number } = {},
): Promise<{ queueUrl: string; dlqUrl: string }> {
  const dlq = await aws.sqs.send(new CreateQueueCommand({ QueueName: dlqName }));
  const dlqUrl = dlq.QueueUrl as string;
  const { Attributes } = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await aws.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeout ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: options.maxReceiveCount ?? 5,
        }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl as string, dlqUrl };
}

export async function createTeamQueue(aws: EmulatedAws, deployment: string, teamId: string) {
  return createQueueWithDlq(
    aws,
    teamQueueName(deployment, teamId),
    teamDeadLetterQueueName(deployment, teamId),
  );
}

export async function deleteQueue(aws: EmulatedAws, queueUrl: string): Promise<void> {
  await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
}

/** Every message currently visible on the queue (received, not deleted). */
export async function drain(
  aws: EmulatedAws,
  queueUrl: string,
): Promise<{ body: string; messageId: string }[]> {
  const all: { body: string; messageId: string }[] = [];
  for (;;) {
    const { Messages } = await aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (!Messages?.length) return all;
    for (const m of Messages) all.push({ body: m.Body ?? '', messageId: m.MessageId ?? '' });
  }
}

export function uniqueDeployment(): string {
  return `t${randomUUID().slice(0, 8)}`;
}

/** A state table keyed and indexed as the CDK app's, with its stream (for tests and the bench). */
export async function createStateTableNamed(documents: DynamoDBDocumentClient, name: string): Promise<void> {
  await documents.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        STATE_TABLE.partitionKey,
        STATE_TABLE.sortKey,
        ...Object.values(STATE_TABLE.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
      ].map((AttributeName) => ({ AttributeName, AttributeType: S })),
      GlobalSecondaryIndexes: Object.entries(STATE_TABLE.indexes).map(([IndexName, index]) => ({
        IndexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
}
