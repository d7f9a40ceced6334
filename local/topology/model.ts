import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { ResourceKind } from '../../infra/resource-tags.js';

// What local mode plays, as read from the CDK app (templates.ts): the tables and queues to create,
// and how Lambda's event source mappings and API Gateway's authorizer are configured.

export type TableKind = Extract<ResourceKind, 'state-table' | 'audit-table'>;
export type SingleQueueKind = Extract<
  ResourceKind,
  | 'intake-queue'
  | 'intake-dlq'
  | 'audit-stream-dlq'
  | 'audit-recovery-dlq'
  | 'audit-export-queue'
  | 'audit-export-dlq'
>;

/** The audit export bucket; fauxqs serves S3 (its lifecycle rule is not played: files stay). */
export interface BucketDefinition {
  logicalId: string;
  name: string;
  /** Days until a file expires, as the stack's lifecycle rule says. */
  expirationDays?: number;
}

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
  /** Batches invoked at once (ScalingConfig.MaximumConcurrency; Lambda's own floor is 2). */
  maxConcurrency: number;
}

/** How Lambda reads the state table's stream. */
export interface StreamMappingSettings {
  batchSize: number;
  /** -1 = until the record expires, as in Lambda. */
  maxRetryAttempts: number;
  /** -1 = no limit; otherwise an older record goes to the on-failure destination unprocessed. */
  maxRecordAgeSeconds: number;
  bisectOnError: boolean;
  reportBatchItemFailures: boolean;
}

export interface Topology {
  tables: TableDefinition[];
  queues: QueueDefinition[];
  intakeMapping: QueueMappingSettings;
  /** How Lambda reads the audit recovery queue (the stream mapping's on-failure destination). */
  recoveryMapping: QueueMappingSettings;
  /** How Lambda reads the audit export queue. */
  exportMapping: QueueMappingSettings;
  exportBucket: BucketDefinition;
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
