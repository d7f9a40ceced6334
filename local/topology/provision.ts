import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { BucketDefinition, SingleQueueKind, TableDefinition, TableKind, Topology } from './model.js';

// The topology made real in DynamoDB Local and fauxqs: what exists is kept, data and all (a
// developer's signals survive a restart); what is missing is created.

export interface ProvisionedQueue {
  name: string;
  url: string;
  arn: string;
}

export interface ProvisionedTopology {
  stateTable: { name: string; streamArn: string };
  auditTable: { name: string };
  intakeQueue: ProvisionedQueue;
  intakeDeadLetterQueue: ProvisionedQueue;
  /** The stream mapping's on-failure destination, read by recover-audit. */
  auditStreamDeadLetterQueue: ProvisionedQueue;
  auditRecoveryDeadLetterQueue: ProvisionedQueue;
  teamQueues: ReadonlyMap<string, ProvisionedQueue>;
  teamDeadLetterQueues: ReadonlyMap<string, ProvisionedQueue>;
  auditExportQueue: ProvisionedQueue;
  auditExportDeadLetterQueue: ProvisionedQueue;
  exportBucket: { name: string };
}

export interface EmulatorEndpoints {
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** fauxqs serves S3 on its SQS endpoint. */
  s3Endpoint: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

async function ensureTable(
  dynamodb: DynamoDBClient,
  table: TableDefinition,
  warn: (line: string) => void,
): Promise<string | undefined> {
  let description = await dynamodb
    .send(new DescribeTableCommand({ TableName: table.create.TableName }))
    .then((r) => r.Table)
    .catch((error: unknown) => {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    });
  if (description) {
    // Kept as it is, data and all. An index the stack added since is added here too (as CDK's
    // deploy would); a key, stream or removed index needs a fresh data dir.
    const haveIndexes = new Set((description.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    const missing = (table.create.GlobalSecondaryIndexes ?? []).filter((i) => !haveIndexes.has(i.IndexName));
    const extra = [...haveIndexes].filter(
      (name) => !(table.create.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === name),
    );
    const sameKeys = JSON.stringify(description.KeySchema) === JSON.stringify(table.create.KeySchema);
    const sameStream =
      Boolean(description.StreamSpecification?.StreamEnabled) === Boolean(table.create.StreamSpecification);
    if (!sameKeys || !sameStream || extra.length > 0) {
      warn(
        `table ${table.create.TableName} differs from the CDK stack; run \`npm run reset\` to recreate it`,
      );
    } else {
      for (const index of missing) {
        await dynamodb.send(
          new UpdateTableCommand({
            TableName: table.create.TableName,
            AttributeDefinitions: table.create.AttributeDefinitions,
            GlobalSecondaryIndexUpdates: [{ Create: index }],
          }),
        );
        warn(
          `added index ${index.IndexName} to ${table.create.TableName}; items written before it have no ` +
            'key in it (`npm run reset` starts afresh)',
        );
      }
    }
  } else {
    description = (await dynamodb.send(new CreateTableCommand(table.create))).TableDescription;
  }
  if (table.timeToLiveAttribute) {
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: table.create.TableName }));
    if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: table.create.TableName,
          TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  }
  return description?.LatestStreamArn;
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<ProvisionedQueue> {
  const existing = await sqs
    .send(new GetQueueUrlCommand({ QueueName: name }))
    .then((r) => r.QueueUrl)
    .catch((error: unknown) => {
      if (error instanceof QueueDoesNotExist) return undefined;
      throw error;
    });
  let url: string | undefined;
  if (existing) {
    // Attributes follow the stack (SetQueueAttributes keeps the messages); FIFO-ness cannot change.
    const { FifoQueue: _fifo, ...changeable } = attributes;
    if (Object.keys(changeable).length > 0) {
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: existing, Attributes: changeable }));
    }
    url = existing;
  } else {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
  }
  if (!url) throw new Error(`no URL for queue ${name}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`no ARN for queue ${name}`);
  return { name, url, arn };
}

async function ensureBucket(s3: S3Client, bucket: BucketDefinition): Promise<void> {
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket.name })).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket.name })).catch((error: unknown) => {
      if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
    });
  }
  if (bucket.expirationDays !== undefined) {
    // Accepted and kept by fauxqs, not acted on: local files stay until `npm run reset`.
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket.name,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'expire-export-files',
              Status: 'Enabled',
              Filter: {},
              Expiration: { Days: bucket.expirationDays },
            },
          ],
        },
      }),
    );
  }
}

/** Creates what does not exist yet; existing tables and queues keep their data. */
export async function provisionTopology(
  topology: Topology,
  endpoints: EmulatorEndpoints,
  warn: (line: string) => void = console.warn,
): Promise<ProvisionedTopology> {
  const dynamodb = new DynamoDBClient({
    region: endpoints.region,
    endpoint: endpoints.dynamodbEndpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({
    region: endpoints.region,
    endpoint: endpoints.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    credentials: LOCAL_CREDENTIALS,
  });
  const s3 = new S3Client({
    region: endpoints.region,
    endpoint: endpoints.s3Endpoint,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await ensureBucket(s3, topology.exportBucket);
    const tableNames = new Map<TableKind, { name: string; streamArn: string | undefined }>();
    for (const table of topology.tables) {
      const streamArn = await ensureTable(dynamodb, table, warn);
      tableNames.set(table.kind, { name: table.create.TableName, streamArn });
    }

    // Dead-letter queues first: a redrive policy names its target by ARN.
    const byLogicalId = new Map<string, ProvisionedQueue>();
    const ordered = [...topology.queues].sort(
      (a, b) => Number(Boolean(a.redrive)) - Number(Boolean(b.redrive)),
    );
    for (const queue of ordered) {
      const attributes = { ...queue.attributes };
      if (queue.redrive) {
        const target = byLogicalId.get(queue.redrive.deadLetterLogicalId);
        if (!target) throw new Error(`dead-letter queue of ${queue.name} is missing`);
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: target.arn,
          maxReceiveCount: queue.redrive.maxReceiveCount,
        });
      }
      byLogicalId.set(queue.logicalId, await ensureQueue(sqs, queue.name, attributes));
    }

    const single = (kind: SingleQueueKind): ProvisionedQueue => {
      const queue = topology.queues.find((q) => q.kind === kind);
      const provisioned = queue && byLogicalId.get(queue.logicalId);
      if (!provisioned) throw new Error(`no ${kind}`);
      return provisioned;
    };
    const perTeam = (kind: 'team-queue' | 'team-dlq') =>
      new Map(
        topology.queues
          .filter((q) => q.kind === kind && q.teamId)
          .map((q) => [q.teamId as string, byLogicalId.get(q.logicalId) as ProvisionedQueue]),
      );

    const state = tableNames.get('state-table');
    const audit = tableNames.get('audit-table');
    if (!state?.streamArn) throw new Error('the state table has no stream; the audit trail depends on it');
    if (!audit) throw new Error('no audit table');
    return {
      stateTable: { name: state.name, streamArn: state.streamArn },
      auditTable: { name: audit.name },
      intakeQueue: single('intake-queue'),
      intakeDeadLetterQueue: single('intake-dlq'),
      auditStreamDeadLetterQueue: single('audit-stream-dlq'),
      auditRecoveryDeadLetterQueue: single('audit-recovery-dlq'),
      teamQueues: perTeam('team-queue'),
      teamDeadLetterQueues: perTeam('team-dlq'),
      auditExportQueue: single('audit-export-queue'),
      auditExportDeadLetterQueue: single('audit-export-dlq'),
      exportBucket: { name: topology.exportBucket.name },
    };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
    s3.destroy();
  }
}
