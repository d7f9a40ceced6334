import * as z from 'zod';
import { teamDeadLetterQueueName, teamQueueName } from '../../functions/shared/adapters/team-queue-name.js';
import { RESOURCE_KINDS, RESOURCE_TAG, type ResourceKind, TEAM_TAG } from '../../infra/resource-tags.js';
import { exportName } from '../../infra/stateful-stack.js';
import type {
  AuthorizerSettings,
  BucketDefinition,
  QueueDefinition,
  QueueMappingSettings,
  SingleQueueKind,
  StreamMappingSettings,
  TableDefinition,
  TableKind,
  Topology,
} from './model.js';

// The tables and queues of local mode come from the CDK app itself: the stateful stack's
// CloudFormation resources, found by their resource tag, become CreateTable / CreateQueue inputs,
// so a key, index, stream, TTL, visibility timeout or redrive change in infra/ reaches local mode
// without a second description to keep in step. The stateless stack contributes the settings of
// the event source mappings and the authorizer's identity source, which local mode plays.

/** Local names for resources whose CDK name is generated (no physical names in CDK). */
const SINGLE_QUEUE_KINDS = [
  'intake-queue',
  'intake-dlq',
  'audit-stream-dlq',
  'audit-recovery-dlq',
  'audit-export-queue',
  'audit-export-dlq',
] as const;

const LOCAL_NAMES: Record<TableKind | SingleQueueKind | 'export-bucket', string> = {
  'export-bucket': 'schakel-local-exports',
  'audit-export-queue': 'schakel-local-audit-exports',
  'audit-export-dlq': 'schakel-local-audit-exports-dlq',
  'state-table': 'schakel-local-state',
  'audit-table': 'schakel-local-audit',
  'intake-queue': 'schakel-local-intake',
  'intake-dlq': 'schakel-local-intake-dlq',
  'audit-stream-dlq': 'schakel-local-audit-stream-dlq',
  'audit-recovery-dlq': 'schakel-local-audit-recovery-dlq',
};

// Lambda's defaults for what the stateless template does not set (or when it cannot be read).
const DEFAULT_INTAKE_MAPPING: QueueMappingSettings = {
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  reportBatchItemFailures: true,
  maxConcurrency: 2,
};
const DEFAULT_STREAM_MAPPING: StreamMappingSettings = {
  batchSize: 100,
  maxRetryAttempts: -1,
  maxRecordAgeSeconds: -1,
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
  EventSourceArn: z.unknown().optional(),
  BatchSize: z.number().optional(),
  MaximumBatchingWindowInSeconds: z.number().optional(),
  MaximumRetryAttempts: z.number().optional(),
  MaximumRecordAgeInSeconds: z.number().optional(),
  ScalingConfig: z.looseObject({ MaximumConcurrency: z.number().optional() }).optional(),
  BisectBatchOnFunctionError: z.boolean().optional(),
  FunctionResponseTypes: z.array(z.string()).optional(),
});

const BucketPropertiesSchema = z.looseObject({
  LifecycleConfiguration: z
    .object({
      Rules: z.array(z.looseObject({ ExpirationInDays: z.number().optional(), Status: z.string() })),
    })
    .optional(),
  Tags: TagsSchema,
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
  } else if ((SINGLE_QUEUE_KINDS as readonly string[]).includes(kind)) {
    name = LOCAL_NAMES[kind as SingleQueueKind];
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

  const buckets: BucketDefinition[] = [];
  for (const [logicalId, resource] of resourcesOf(stateful, 'AWS::S3::Bucket')) {
    const props = BucketPropertiesSchema.parse(resource.Properties ?? {});
    if (tagValue(props.Tags, RESOURCE_TAG) !== 'export-bucket') continue;
    const expiration = props.LifecycleConfiguration?.Rules.find(
      (rule) => rule.Status === 'Enabled' && rule.ExpirationInDays !== undefined,
    )?.ExpirationInDays;
    buckets.push({
      logicalId,
      name: LOCAL_NAMES['export-bucket'],
      ...(expiration !== undefined ? { expirationDays: expiration } : {}),
    });
  }
  const [exportBucket] = buckets;
  if (buckets.length !== 1 || !exportBucket)
    throw new Error(`the stateful stack has ${buckets.length} buckets tagged ${RESOURCE_TAG}=export-bucket`);

  for (const required of ['state-table', 'audit-table'] as const) {
    const count = tables.filter((t) => t.kind === required).length;
    if (count !== 1)
      throw new Error(`the stateful stack has ${count} tables tagged ${RESOURCE_TAG}=${required}`);
  }
  for (const required of SINGLE_QUEUE_KINDS) {
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
  const recoveryMapping = { ...DEFAULT_INTAKE_MAPPING, batchSize: 1 };
  const exportMapping = { ...DEFAULT_INTAKE_MAPPING, batchSize: 1 };
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
        streamMapping.maxRecordAgeSeconds = props.MaximumRecordAgeInSeconds ?? -1;
        streamMapping.bisectOnError = props.BisectBatchOnFunctionError ?? false;
        streamMapping.reportBatchItemFailures = reportsItems;
      } else {
        // The SQS mappings (intake, audit recovery, audit export) told apart by the queue they
        // read (imported from the stateful stack under a fixed export name).
        const source = JSON.stringify(props.EventSourceArn ?? '');
        const mapping = source.includes(exportName(deployment, 'auditStreamDeadLetterQueueArn'))
          ? recoveryMapping
          : source.includes(exportName(deployment, 'auditExportQueueArn'))
            ? exportMapping
            : intakeMapping;
        mapping.batchSize = props.BatchSize ?? 10;
        mapping.maxBatchingWindowSeconds = props.MaximumBatchingWindowInSeconds ?? 0;
        mapping.reportBatchItemFailures = reportsItems;
        // Without a ScalingConfig Lambda scales an SQS mapping up to 1,000 batches; locally that is
        // bounded by the machine, so the floor Lambda allows stands in.
        mapping.maxConcurrency =
          props.ScalingConfig?.MaximumConcurrency ?? DEFAULT_INTAKE_MAPPING.maxConcurrency;
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
  return {
    tables,
    queues,
    intakeMapping,
    recoveryMapping,
    exportMapping,
    exportBucket,
    streamMapping,
    authorizer,
  };
}
