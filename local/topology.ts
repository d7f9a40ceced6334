import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { App } from 'aws-cdk-lib';
import * as z from 'zod';
import { teamDeadLetterQueueName, teamQueueName } from '../functions/shared/adapters/team-queue-name.js';
import { RESOURCE_KINDS, RESOURCE_TAG, type ResourceKind, TEAM_TAG } from '../infra/resource-tags.js';
import { createSchakelApp } from '../infra/schakel-app.js';
import type { DeploymentConfig } from '../schemas/deployment-config.js';

// The tables and queues of local mode come from the CDK app itself: the stateful stack is
// synthesised in-process and its CloudFormation resources become CreateTable / CreateQueue calls,
// so a key, index, stream, TTL, visibility timeout or redrive change in infra/ reaches local mode
// without a second description to keep in step. The stateless stack contributes the settings of
// the event source mappings and the authorizer's identity source, which local mode plays.

type TableKind = Extract<ResourceKind, 'state-table' | 'audit-table'>;
type SingleQueueKind = Extract<ResourceKind, 'intake-queue' | 'intake-dlq' | 'audit-stream-dlq'>;

/** Local names for resources whose CDK name is generated (no physical names in CDK). */
const LOCAL_NAMES: Record<TableKind | SingleQueueKind, string> = {
  'state-table': 'schakel-local-state',
  'audit-table': 'schakel-local-audit',
  'intake-queue': 'schakel-local-intake',
  'intake-dlq': 'schakel-local-intake-dlq',
  'audit-stream-dlq': 'schakel-local-audit-stream-dlq',
};

export interface TableDefinition {
  kind: TableKind;
  logicalId: string;
  create: CreateTableCommandInput & { TableName: string };
  timeToLiveAttribute?: string;
}

export interface QueueDefinition {
  kind: ResourceKind;
  logicalId: string;
  name: string;
  teamId?: string;
  /** SQS attributes as CreateQueue takes them (strings), without the redrive policy. */
  attributes: Record<string, string>;
  redrive?: { deadLetterLogicalId: string; maxReceiveCount: number };
}

/** How Lambda reads the intake queue (AWS::Lambda::EventSourceMapping on SQS). */
export interface QueueMappingSettings {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
}

/** How Lambda reads the state table's stream. */
export interface StreamMappingSettings {
  batchSize: number;
  /** -1 = until the record expires, as in Lambda. */
  maxRetryAttempts: number;
  bisectOnError: boolean;
  reportBatchItemFailures: boolean;
}

export interface Topology {
  tables: TableDefinition[];
  queues: QueueDefinition[];
  intakeMapping: QueueMappingSettings;
  streamMapping: StreamMappingSettings;
  authorizer: AuthorizerSettings;
}

/** The REQUEST authorizer as API Gateway runs it. */
export interface AuthorizerSettings {
  /** Request parts required before the authorizer is called, e.g. `method.request.header.Authorization`. */
  identitySources: string[];
  /** How long a policy is cached per identity-source value (API Gateway's default: 300 s). */
  resultTtlSeconds: number;
}

// Lambda's defaults for what the stateless template does not set (or when it cannot be read).
const DEFAULT_INTAKE_MAPPING: QueueMappingSettings = {
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  reportBatchItemFailures: true,
};
const DEFAULT_STREAM_MAPPING: StreamMappingSettings = {
  batchSize: 100,
  maxRetryAttempts: 10,
  bisectOnError: true,
  reportBatchItemFailures: true,
};
const DEFAULT_AUTHORIZER: AuthorizerSettings = {
  identitySources: ['method.request.header.Authorization'],
  resultTtlSeconds: 300,
};

const TagsSchema = z.array(z.object({ Key: z.string(), Value: z.unknown() })).optional();
const KeySchemaSchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) }));
const ThroughputSchema = z.object({ ReadCapacityUnits: z.number(), WriteCapacityUnits: z.number() });

const TablePropertiesSchema = z.looseObject({
  KeySchema: KeySchemaSchema,
  AttributeDefinitions: z.array(
    z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) }),
  ),
  BillingMode: z.enum(['PAY_PER_REQUEST', 'PROVISIONED']).optional(),
  ProvisionedThroughput: ThroughputSchema.optional(),
  GlobalSecondaryIndexes: z
    .array(
      z.looseObject({
        IndexName: z.string(),
        KeySchema: KeySchemaSchema,
        Projection: z.object({
          ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']).optional(),
          NonKeyAttributes: z.array(z.string()).optional(),
        }),
        ProvisionedThroughput: ThroughputSchema.optional(),
      }),
    )
    .optional(),
  StreamSpecification: z
    .object({ StreamViewType: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']) })
    .optional(),
  TimeToLiveSpecification: z
    .object({ AttributeName: z.string(), Enabled: z.boolean().optional() })
    .optional(),
  Tags: TagsSchema,
  // AWS::DynamoDB::GlobalTable (CDK TableV2) keeps tags per replica.
  Replicas: z.array(z.looseObject({ Tags: TagsSchema })).optional(),
});

const QueuePropertiesSchema = z.looseObject({
  QueueName: z.unknown().optional(),
  VisibilityTimeout: z.number().optional(),
  MessageRetentionPeriod: z.number().optional(),
  DelaySeconds: z.number().optional(),
  ReceiveMessageWaitTimeSeconds: z.number().optional(),
  MaximumMessageSize: z.number().optional(),
  FifoQueue: z.boolean().optional(),
  ContentBasedDeduplication: z.boolean().optional(),
  RedrivePolicy: z
    .object({
      deadLetterTargetArn: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
      maxReceiveCount: z.coerce.number().int().positive(),
    })
    .optional(),
  Tags: TagsSchema,
});

const MappingPropertiesSchema = z.looseObject({
  StartingPosition: z.string().optional(),
  BatchSize: z.number().optional(),
  MaximumBatchingWindowInSeconds: z.number().optional(),
  MaximumRetryAttempts: z.number().optional(),
  BisectBatchOnFunctionError: z.boolean().optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
});

const AuthorizerPropertiesSchema = z.looseObject({
  Type: z.string(),
  IdentitySource: z.string().optional(),
  AuthorizerResultTtlInSeconds: z.number().optional(),
});

export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: unknown }>;
}

function tagValue(tags: z.infer<typeof TagsSchema>, key: string): string | undefined {
  const value = tags?.find((tag) => tag.Key === key)?.Value;
  return typeof value === 'string' ? value : undefined;
}

function isResourceKind(value: string | undefined): value is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(value ?? '');
}

function resourcesOf(template: CfnTemplate, ...types: string[]) {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => types.includes(resource.Type));
}

function tableDefinition(logicalId: string, kind: TableKind, raw: unknown): TableDefinition {
  const props = TablePropertiesSchema.parse(raw);
  const provisioned =
    props.BillingMode === 'PROVISIONED' || (!props.BillingMode && props.ProvisionedThroughput);
  const defaultThroughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  const create: TableDefinition['create'] = {
    TableName: LOCAL_NAMES[kind],
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    ...(provisioned
      ? {
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: props.ProvisionedThroughput ?? defaultThroughput,
        }
      : { BillingMode: 'PAY_PER_REQUEST' }),
    // Contributor insights, warm/on-demand throughput and the like do not exist in DynamoDB Local.
    ...(props.GlobalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map((index) => ({
            IndexName: index.IndexName,
            KeySchema: index.KeySchema,
            Projection: index.Projection,
            ...(provisioned
              ? { ProvisionedThroughput: index.ProvisionedThroughput ?? defaultThroughput }
              : {}),
          })),
        }
      : {}),
    ...(props.StreamSpecification
      ? {
          StreamSpecification: {
            StreamEnabled: true,
            StreamViewType: props.StreamSpecification.StreamViewType,
          },
        }
      : {}),
  };
  const ttl = props.TimeToLiveSpecification;
  return {
    kind,
    logicalId,
    create,
    ...(ttl && ttl.Enabled !== false ? { timeToLiveAttribute: ttl.AttributeName } : {}),
  };
}

function queueDefinition(
  logicalId: string,
  kind: ResourceKind,
  raw: unknown,
  deployment: string,
): QueueDefinition {
  const props = QueuePropertiesSchema.parse(raw);
  const teamId = tagValue(props.Tags, TEAM_TAG);
  let name: string;
  if (kind === 'team-queue' || kind === 'team-dlq') {
    if (!teamId) throw new Error(`queue ${logicalId} is a ${kind} without a ${TEAM_TAG} tag`);
    // The physical name is the contract with the team's consumer; take it as the stack sets it.
    name =
      typeof props.QueueName === 'string'
        ? props.QueueName
        : kind === 'team-queue'
          ? teamQueueName(deployment, teamId)
          : teamDeadLetterQueueName(deployment, teamId);
  } else if (kind === 'intake-queue' || kind === 'intake-dlq' || kind === 'audit-stream-dlq') {
    name = LOCAL_NAMES[kind];
  } else {
    throw new Error(`queue ${logicalId} is tagged ${RESOURCE_TAG}=${kind}, which is a table kind`);
  }
  const attributes: Record<string, string> = {};
  const copy = [
    'VisibilityTimeout',
    'MessageRetentionPeriod',
    'DelaySeconds',
    'ReceiveMessageWaitTimeSeconds',
    'MaximumMessageSize',
    'FifoQueue',
    'ContentBasedDeduplication',
  ] as const;
  for (const key of copy) {
    const value = props[key];
    if (value !== undefined) attributes[key] = String(value);
  }
  if (props.FifoQueue && !name.endsWith('.fifo')) name = `${name}.fifo`;
  const redrive = props.RedrivePolicy;
  return {
    kind,
    logicalId,
    name,
    ...(teamId ? { teamId } : {}),
    attributes,
    ...(redrive
      ? {
          redrive: {
            deadLetterLogicalId: redrive.deadLetterTargetArn['Fn::GetAtt'][0],
            maxReceiveCount: redrive.maxReceiveCount,
          },
        }
      : {}),
  };
}

/** Reads the tagged tables and queues of the stateful template and the mapping settings of the stateless one. */
export function topologyFromTemplates(
  stateful: CfnTemplate,
  stateless: CfnTemplate | undefined,
  deployment: string,
): Topology {
  const tables: TableDefinition[] = [];
  for (const [logicalId, resource] of resourcesOf(
    stateful,
    'AWS::DynamoDB::Table',
    'AWS::DynamoDB::GlobalTable',
  )) {
    const props = TablePropertiesSchema.parse(resource.Properties);
    const kind = tagValue(props.Tags ?? props.Replicas?.[0]?.Tags, RESOURCE_TAG);
    if (kind !== 'state-table' && kind !== 'audit-table') continue;
    tables.push(tableDefinition(logicalId, kind, resource.Properties));
  }
  const queues: QueueDefinition[] = [];
  for (const [logicalId, resource] of resourcesOf(stateful, 'AWS::SQS::Queue')) {
    const kind = tagValue(QueuePropertiesSchema.parse(resource.Properties ?? {}).Tags, RESOURCE_TAG);
    if (!isResourceKind(kind)) continue;
    queues.push(queueDefinition(logicalId, kind, resource.Properties ?? {}, deployment));
  }

  for (const required of ['state-table', 'audit-table'] as const) {
    const count = tables.filter((t) => t.kind === required).length;
    if (count !== 1)
      throw new Error(`the stateful stack has ${count} tables tagged ${RESOURCE_TAG}=${required}`);
  }
  for (const required of ['intake-queue', 'intake-dlq', 'audit-stream-dlq'] as const) {
    const count = queues.filter((q) => q.kind === required).length;
    if (count !== 1)
      throw new Error(`the stateful stack has ${count} queues tagged ${RESOURCE_TAG}=${required}`);
  }
  const logicalIds = new Set(queues.map((q) => q.logicalId));
  for (const queue of queues) {
    if (queue.redrive && !logicalIds.has(queue.redrive.deadLetterLogicalId)) {
      throw new Error(
        `queue ${queue.name} redrives to ${queue.redrive.deadLetterLogicalId}, which is not tagged`,
      );
    }
  }

  const intakeMapping = { ...DEFAULT_INTAKE_MAPPING };
  const streamMapping = { ...DEFAULT_STREAM_MAPPING };
  const authorizer = { ...DEFAULT_AUTHORIZER };
  if (stateless) {
    for (const [, resource] of resourcesOf(stateless, 'AWS::Lambda::EventSourceMapping')) {
      const props = MappingPropertiesSchema.parse(resource.Properties ?? {});
      const reportsItems = props.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false;
      // Only stream mappings have a starting position; this app has one stream and one SQS mapping.
      if (props.StartingPosition) {
        streamMapping.batchSize = props.BatchSize ?? 100;
        streamMapping.maxRetryAttempts = props.MaximumRetryAttempts ?? -1;
        streamMapping.bisectOnError = props.BisectBatchOnFunctionError ?? false;
        streamMapping.reportBatchItemFailures = reportsItems;
      } else {
        intakeMapping.batchSize = props.BatchSize ?? 10;
        intakeMapping.maxBatchingWindowSeconds = props.MaximumBatchingWindowInSeconds ?? 0;
        intakeMapping.reportBatchItemFailures = reportsItems;
      }
    }
    for (const [, resource] of resourcesOf(stateless, 'AWS::ApiGateway::Authorizer')) {
      const props = AuthorizerPropertiesSchema.parse(resource.Properties ?? {});
      if (props.Type !== 'REQUEST') continue;
      if (props.IdentitySource)
        authorizer.identitySources = props.IdentitySource.split(',').map((s) => s.trim());
      authorizer.resultTtlSeconds = props.AuthorizerResultTtlInSeconds ?? DEFAULT_AUTHORIZER.resultTtlSeconds;
    }
  }
  return { tables, queues, intakeMapping, streamMapping, authorizer };
}

/** Synthesises the CDK app in-process (no bundling, no CLI) and reads its templates. */
export function synthesizeTopology(config: DeploymentConfig): Topology {
  const outdir = mkdtempSync(join(tmpdir(), 'schakel-local-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const { stateful, stateless } = createSchakelApp({ app, config, bundling: false });
    const assembly = app.synth();
    const template = (artifactId: string): CfnTemplate => assembly.getStackArtifact(artifactId).template;
    return topologyFromTemplates(
      template(stateful.artifactId),
      template(stateless.artifactId),
      config.deployment,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

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
  auditStreamDeadLetterQueue: ProvisionedQueue;
  teamQueues: ReadonlyMap<string, ProvisionedQueue>;
  teamDeadLetterQueues: ReadonlyMap<string, ProvisionedQueue>;
}

export interface EmulatorEndpoints {
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
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
    // Kept as it is, data and all; a key or index change in infra/ needs a fresh data dir.
    const wantedIndexes = (table.create.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort();
    const haveIndexes = (description.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort();
    const sameKeys = JSON.stringify(description.KeySchema) === JSON.stringify(table.create.KeySchema);
    const sameStream =
      Boolean(description.StreamSpecification?.StreamEnabled) === Boolean(table.create.StreamSpecification);
    if (!sameKeys || !sameStream || JSON.stringify(wantedIndexes) !== JSON.stringify(haveIndexes)) {
      warn(
        `table ${table.create.TableName} differs from the CDK stack; run \`npm run reset\` to recreate it`,
      );
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
  try {
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
      teamQueues: perTeam('team-queue'),
      teamDeadLetterQueues: perTeam('team-dlq'),
    };
  } finally {
    dynamodb.destroy();
    sqs.destroy();
  }
}
