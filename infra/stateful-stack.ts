import { CfnResource, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AUDIT_TABLE, STATE_TABLE } from '../functions/shared/adapters/state-table.js';
import { teamDeadLetterQueueName, teamQueueName } from '../functions/shared/adapters/team-queue-name.js';
import type { DeploymentConfig } from '../schemas/deployment-config.js';
import { DEFAULT_EXPORT_FILE_RETENTION_DAYS } from '../schemas/deployment-config.js';
import { DeadLetterQueue, QueueWithDlq, taggedWorkQueue } from './constructs/queue-with-dlq.js';
import { RESOURCE_TAG } from './resource-tags.js';
import {
  AUDIT_EXPORT_VISIBILITY_TIMEOUT,
  AUDIT_RECOVERY_MAX_RECEIVE_COUNT,
  AUDIT_RECOVERY_VISIBILITY_TIMEOUT,
  DEAD_LETTER_RETENTION,
  INTAKE_VISIBILITY_TIMEOUT,
} from './settings.js';

/** CloudFormation quota: resources per stack. */
export const MAX_RESOURCES_PER_STACK = 500;

export interface StatefulStackProps extends StackProps {
  config: DeploymentConfig;
}

/**
 * What the stateless stack imports, as CloudFormation exports with fixed names. Named exports, not
 * CDK's automatic cross-stack references, so the contract between the stacks is visible here, stays
 * stable when a construct is renamed, and never grows with the number of teams.
 */
export interface StatefulReferences {
  stateTableName: string;
  stateTableArn: string;
  stateTableStreamArn: string;
  auditTableName: string;
  auditTableArn: string;
  intakeQueueArn: string;
  intakeQueueUrl: string;
  auditStreamDeadLetterQueueArn: string;
  auditRecoveryDeadLetterQueueArn: string;
  pseudonymSecretArn: string;
  dataKeyArn: string;
  auditExportQueueArn: string;
  auditExportQueueUrl: string;
  exportBucketName: string;
  exportBucketArn: string;
}

/** The export name of one reference, e.g. `schakel-demo-state-table-arn`. */
export function exportName(deployment: string, reference: keyof StatefulReferences): string {
  return `schakel-${deployment}-${reference.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Everything that holds data: tables, queues, the pseudonym key. Kept apart from the functions so
 * that redeploying or even deleting the stateless stack can never replace a table or a queue.
 */
export class StatefulStack extends Stack {
  readonly dataKey: Key;
  readonly stateTable: Table;
  readonly auditTable: Table;
  readonly intake: QueueWithDlq;
  /** The on-failure destination of the stream mapping, read by recover-audit. */
  readonly auditStreamDeadLetterQueue: Queue;
  /** What recover-audit could not recover either: an operator replays it (npm run audit:replay). */
  readonly auditRecoveryDeadLetterQueue: DeadLetterQueue;
  readonly pseudonymSecret: Secret;
  /** Starts (and continues) audit exports; read by export-audit. */
  readonly auditExports: QueueWithDlq;
  /** Audit export files and their manifests, removed after the configured number of days. */
  readonly exportBucket: Bucket;
  /**
   * Per team id. Deliberately not used by the stateless stack: referencing them there would create
   * one cross-stack export per queue; route-signal finds them by name instead.
   */
  readonly teamQueues: ReadonlyMap<string, QueueWithDlq>;
  readonly references: StatefulReferences;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const { config } = props;

    // A customer-managed key rather than the AWS-owned or AWS-managed one: signals about pupils are
    // special-category data (youth care), and the municipality as controller can then see every use
    // of the key in CloudTrail per principal, restrict it in the key policy, and make the data
    // unreadable by disabling the key when a region leaves the hub.
    this.dataKey = new Key(this, 'DataKey', {
      description: `Schakel ${config.deployment}: encrypts the state and audit tables and the pseudonym key`,
      enableKeyRotation: true,
      // The tables are retained; deleting their key would make retained data unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateTable = new Table(this, 'StateTable', {
      partitionKey: { name: STATE_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: STATE_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: STATE_TABLE.timeToLiveAttribute,
      // The audit trail needs old and new images to record what changed.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [indexName, keys] of Object.entries(STATE_TABLE.indexes)) {
      this.stateTable.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: keys.partitionKey, type: AttributeType.STRING },
        sortKey: { name: keys.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    Tags.of(this.stateTable).add(RESOURCE_TAG, 'state-table');

    this.auditTable = new Table(this, 'AuditTable', {
      partitionKey: { name: AUDIT_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: AUDIT_TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Sparse: only entries about a pupil carry its key, so a subject access reads that pupil's
    // events and never the whole chain.
    for (const [indexName, keys] of Object.entries(AUDIT_TABLE.indexes)) {
      this.auditTable.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: keys.partitionKey, type: AttributeType.STRING },
        sortKey: { name: keys.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...keys.projected],
      });
    }
    Tags.of(this.auditTable).add(RESOURCE_TAG, 'audit-table');

    this.intake = new QueueWithDlq(this, 'Intake', {
      kind: 'intake-queue',
      deadLetterKind: 'intake-dlq',
      visibilityTimeout: INTAKE_VISIBILITY_TIMEOUT,
    });

    // The on-failure destination of the write-audit event source mapping: Lambda sends a description
    // of each stream batch it gave up on (shard and sequence numbers, not the records); recover-audit
    // reads it and appends the batch late, and what it cannot recover goes on to its dead-letter
    // queue. The construct id stays that of the former plain dead-letter queue, so the queue is
    // updated in place.
    this.auditRecoveryDeadLetterQueue = new DeadLetterQueue(this, 'AuditRecoveryDeadLetterQueue', {
      kind: 'audit-recovery-dlq',
    });
    this.auditStreamDeadLetterQueue = taggedWorkQueue(this, 'AuditStreamDeadLetterQueue', {
      kind: 'audit-stream-dlq',
      deadLetterQueue: this.auditRecoveryDeadLetterQueue,
      maxReceiveCount: AUDIT_RECOVERY_MAX_RECEIVE_COUNT,
      visibilityTimeout: AUDIT_RECOVERY_VISIBILITY_TIMEOUT,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    // Anything here is an audit change that could not be recovered automatically.
    new Alarm(this, 'AuditRecoveryDeadLettersAlarm', {
      alarmDescription:
        'Audit changes that recover-audit could not append: fix the cause, then run npm run audit:replay.',
      metric: this.auditRecoveryDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const teamQueues = new Map<string, QueueWithDlq>();
    for (const team of config.teams) {
      teamQueues.set(
        team.id,
        new QueueWithDlq(this, `Team-${team.id}`, {
          kind: 'team-queue',
          deadLetterKind: 'team-dlq',
          teamId: team.id,
          queueName: teamQueueName(config.deployment, team.id),
          deadLetterQueueName: teamDeadLetterQueueName(config.deployment, team.id),
          // Team consumers run outside this deployment and may be offline over a holiday; the
          // referral also stays listable through GET /v1/referrals.
          retentionPeriod: Duration.days(14),
        }),
      );
    }
    this.teamQueues = teamQueues;

    this.pseudonymSecret = new Secret(this, 'PseudonymKey', {
      description: `Schakel ${config.deployment}: HMAC key that turns a BSN into a pupil pseudonym`,
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Losing the key would break the link between old and new audit records of the same pupil.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.pseudonymSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the pseudonym key changes every pupil pseudonym and breaks the audit trail per ' +
        'pupil; it is rotated by a planned re-pseudonymisation, not on a schedule.',
    });

    this.auditExports = new QueueWithDlq(this, 'AuditExports', {
      kind: 'audit-export-queue',
      deadLetterKind: 'audit-export-dlq',
      visibilityTimeout: AUDIT_EXPORT_VISIBILITY_TIMEOUT,
    });
    // The job is marked failed before its message gets here; a message here means export-audit
    // could not even do that (the audit table unreachable, say): the municipality's job is stuck.
    new Alarm(this, 'AuditExportDeadLettersAlarm', {
      alarmDescription:
        'An audit export message failed five times: its job may show running forever; see the ' +
        "export-audit logs (audit_export_failed), fix the cause and redrive the queue's dead letters.",
      metric: this.auditExports.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // The files hold the audit trail (pseudonyms, who read what): encrypted with the data key like
    // the audit table, never public, reached only over TLS and through links that expire in minutes.
    // They are copies for a municipality to take away; the trail stays in the table, so a file is
    // removed after a few days (and a multipart upload that was never finished after one).
    const fileRetentionDays = config.auditExports?.fileRetentionDays ?? DEFAULT_EXPORT_FILE_RETENTION_DAYS;
    this.exportBucket = new Bucket(this, 'AuditExportBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'expire-export-files',
          expiration: Duration.days(fileRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(this.exportBucket).add(RESOURCE_TAG, 'export-bucket');
    Validations.of(this.exportBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Every request for an export file is already in the audit trail (who asked for the link, ' +
        'when, for which file); CloudTrail data events can be enabled per account if wanted.',
    });

    const exported = (reference: keyof StatefulReferences, value: string): string =>
      this.exportValue(value, { name: exportName(config.deployment, reference) });
    this.references = {
      stateTableName: exported('stateTableName', this.stateTable.tableName),
      stateTableArn: exported('stateTableArn', this.stateTable.tableArn),
      stateTableStreamArn: exported('stateTableStreamArn', streamArnOf(this.stateTable)),
      auditTableName: exported('auditTableName', this.auditTable.tableName),
      auditTableArn: exported('auditTableArn', this.auditTable.tableArn),
      intakeQueueArn: exported('intakeQueueArn', this.intake.queue.queueArn),
      intakeQueueUrl: exported('intakeQueueUrl', this.intake.queue.queueUrl),
      auditStreamDeadLetterQueueArn: exported(
        'auditStreamDeadLetterQueueArn',
        this.auditStreamDeadLetterQueue.queueArn,
      ),
      auditRecoveryDeadLetterQueueArn: exported(
        'auditRecoveryDeadLetterQueueArn',
        this.auditRecoveryDeadLetterQueue.queueArn,
      ),
      pseudonymSecretArn: exported('pseudonymSecretArn', this.pseudonymSecret.secretArn),
      dataKeyArn: exported('dataKeyArn', this.dataKey.keyArn),
      auditExportQueueArn: exported('auditExportQueueArn', this.auditExports.queue.queueArn),
      auditExportQueueUrl: exported('auditExportQueueUrl', this.auditExports.queue.queueUrl),
      exportBucketName: exported('exportBucketName', this.exportBucket.bucketName),
      exportBucketArn: exported('exportBucketArn', this.exportBucket.bucketArn),
    };

    this.assertWithinResourceQuota(config.teams.length);
  }

  // Each team adds four resources (queue, dead-letter queue and their two SSL-only queue policies).
  // Fail at synth with the reason instead of at deploy time with a CloudFormation quota error.
  private assertWithinResourceQuota(teamCount: number): void {
    const resources = this.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
    if (resources > MAX_RESOURCES_PER_STACK) {
      throw new Error(
        `${this.stackName}: ${teamCount} teams need ${resources} CloudFormation resources, more than the ` +
          `${MAX_RESOURCES_PER_STACK} a stack may hold; split the team queues over more stacks.`,
      );
    }
  }
}

function streamArnOf(table: Table): string {
  if (!table.tableStreamArn) throw new Error(`${table.node.path} has no stream`);
  return table.tableStreamArn;
}
