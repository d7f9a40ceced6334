import { Aws, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, type IFilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { type IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { buildOpenApiDocument } from '../functions/openapi.js';
import { FUNCTION_DECLARATIONS, type FunctionName } from '../functions/registry.js';
import {
  ACCESS_PARTITION_PREFIX,
  AUDIT_TABLE,
  EXPORT_JOB_PARTITION_PREFIXES,
  STATE_TABLE,
} from '../functions/shared/adapters/state-table.js';
import { teamQueueNamePattern } from '../functions/shared/adapters/team-queue-name.js';
import type { FunctionDeclaration } from '../functions/shared/declarations.js';
import type { DeploymentConfig } from '../schemas/deployment-config.js';
import { FunctionSchedule } from './constructs/function-schedule.js';
import { type EnvironmentValues, HouseFunction } from './constructs/house-function.js';
import { SchakelApi } from './constructs/schakel-api.js';
import { exportName, type StatefulReferences } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  config: DeploymentConfig;
  /** Imports of the stateful stack's exports (StatefulStack.references). */
  stateful: StatefulReferences;
}

/** Functions, API and event source mappings: can be replaced at any time without losing data. */
export class StatelessStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, HouseFunction>>;
  readonly api: SchakelApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;

    const dataKey = Key.fromKeyArn(this, 'DataKey', stateful.dataKeyArn);
    const stateTable = Table.fromTableAttributes(this, 'StateTable', {
      tableArn: stateful.stateTableArn,
      tableStreamArn: stateful.stateTableStreamArn,
      encryptionKey: dataKey,
      globalIndexes: Object.keys(STATE_TABLE.indexes),
    });
    const auditTable = Table.fromTableAttributes(this, 'AuditTable', {
      tableArn: stateful.auditTableArn,
      encryptionKey: dataKey,
      globalIndexes: Object.keys(AUDIT_TABLE.indexes),
    });
    const intakeQueue = Queue.fromQueueAttributes(this, 'IntakeQueue', {
      queueArn: stateful.intakeQueueArn,
      queueUrl: stateful.intakeQueueUrl,
    });
    const auditStreamDeadLetterQueue = Queue.fromQueueArn(
      this,
      'AuditStreamDeadLetterQueue',
      stateful.auditStreamDeadLetterQueueArn,
    );

    const auditExportQueue = Queue.fromQueueAttributes(this, 'AuditExportQueue', {
      queueArn: stateful.auditExportQueueArn,
      queueUrl: stateful.auditExportQueueUrl,
    });
    const exportBucket = Bucket.fromBucketAttributes(this, 'ExportBucket', {
      bucketArn: stateful.exportBucketArn,
      bucketName: stateful.exportBucketName,
      encryptionKey: dataKey,
    });

    const values: EnvironmentValues = {
      STATE_TABLE_NAME: stateful.stateTableName,
      AUDIT_TABLE_NAME: stateful.auditTableName,
      INTAKE_QUEUE_URL: stateful.intakeQueueUrl,
      AUDIT_EXPORT_QUEUE_URL: stateful.auditExportQueueUrl,
      EXPORT_BUCKET_NAME: stateful.exportBucketName,
      DEPLOYMENT_NAME: config.deployment,
      PSEUDONYM_SECRET_ARN: stateful.pseudonymSecretArn,
      PUPIL_DATA_KEY_ARN: stateful.dataKeyArn,
      SCHAKEL_DEPLOYMENT_CONFIG: JSON.stringify(config),
      SCHAKEL_OPENAPI_DOCUMENT: JSON.stringify(buildOpenApiDocument()),
    };
    const functions = Object.fromEntries(
      FUNCTION_DECLARATIONS.map((declaration) => [
        declaration.name,
        new HouseFunction(this, pascal(declaration.name), { declaration, values }),
      ]),
    ) as Record<FunctionName, HouseFunction>;
    this.functions = functions;

    // One statement on a name pattern instead of a grant per team queue: the policy stays the same
    // size for 3 or 100 teams (IAM caps a role's inline policies at 10,240 characters), and this
    // stack never references a team queue, so no per-team cross-stack export exists.
    const teamQueueNames = teamQueueNamePattern(config.deployment);
    // Schakel's own metrics, one namespace per deployment (several may share an account).
    const metricNamespace = `Schakel/${config.deployment}`;
    const teamQueues = new PolicyStatement({
      actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
      resources: [`arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:${teamQueueNames}`],
    });

    // What each function may touch comes from its declaration, and nothing else is granted.
    for (const declaration of FUNCTION_DECLARATIONS as readonly FunctionDeclaration[]) {
      const house = functions[declaration.name as FunctionName];
      const fn = house.function;
      const { access } = declaration;
      if (access.stateTable === 'read') stateTable.grantReadData(fn);
      if (access.stateTable === 'read-write') stateTable.grantReadWriteData(fn);
      if (access.stateTable === 'record-reads') {
        // Fine-grained access control: a put of an item whose partition key is an access record's,
        // nothing read, nothing else written. The key actions are those of the table's write grant.
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:PutItem'],
            resources: [stateful.stateTableArn],
            conditions: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ACCESS_PARTITION_PREFIX}*`] },
            },
          }),
        );
        dataKey.grant(
          fn,
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:Encrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
        );
      }
      if (access.exportJobs === 'read-write') {
        // Fine-grained access control again: the export jobs' own partitions of the audit table.
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
            resources: [stateful.auditTableArn],
            conditions: {
              'ForAllValues:StringLike': {
                'dynamodb:LeadingKeys': EXPORT_JOB_PARTITION_PREFIXES.map((prefix) => `${prefix}*`),
              },
            },
          }),
        );
        dataKey.grant(
          fn,
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:Encrypt',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
        );
      }
      if (access.auditTable === 'read') auditTable.grantReadData(fn);
      if (access.auditTable === 'read-write') auditTable.grantReadWriteData(fn);
      if (access.intakeQueue === 'send') intakeQueue.grantSendMessages(fn);
      if (access.stateTableStream === 'read') stateTable.grantStreamRead(fn);
      if (access.exportQueue === 'send') auditExportQueue.grantSendMessages(fn);
      if (access.exportBucket) {
        // Objects only, under the one prefix export-audit writes: Put (and the multipart parts,
        // which S3 authorises as PutObject), Get, and AbortMultipartUpload for a job given up. A
        // reader gets Get alone: the links it signs carry exactly that permission.
        const objects = exportBucket.arnForObjects('audit-exports/*');
        const actions =
          access.exportBucket === 'write'
            ? ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload']
            : ['s3:GetObject'];
        fn.addToRolePolicy(new PolicyStatement({ actions, resources: [objects] }));
        // The bucket's objects are encrypted with the data key: only through S3 (kms:ViaService),
        // so this grant opens no pupil data in the tables.
        fn.addToRolePolicy(
          new PolicyStatement({
            actions:
              access.exportBucket === 'write' ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:Decrypt'],
            resources: [stateful.dataKeyArn],
            conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
          }),
        );
        Validations.of(house).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${exportName(config.deployment, 'exportBucketArn')}/audit-exports/*]`,
          reason: 'Export files are named per job under one prefix of the export bucket.',
        });
      }
      if (access.stateTable === 'read' || access.stateTable === 'read-write') {
        Validations.of(house).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${exportName(config.deployment, 'stateTableArn')}/index/*]`,
          reason:
            "The state table's own GSIs (bySignal, byTeam, byWork), added by the table grant; no other table.",
        });
      }
      if (access.auditTable) {
        Validations.of(house).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${exportName(config.deployment, 'auditTableArn')}/index/*]`,
          reason: "The audit table's own GSI (byPupil), added by the table grant; no other table.",
        });
      }
      if (
        access.stateTable === 'read-write' ||
        access.stateTable === 'record-reads' ||
        access.auditTable === 'read-write' ||
        access.exportJobs === 'read-write'
      ) {
        Validations.of(house).acknowledge(
          ...['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((action) => ({
            id: `AwsSolutions-IAM5[Action::${action}]`,
            reason:
              "Added by the table's write grant for its customer-managed key, on that one key only " +
              '(DynamoDB needs the variants of these actions to write encrypted items).',
          })),
        );
      }
      if (access.pseudonymSecret === 'read') {
        // Not Secret.grantRead: for a secret under a customer-managed key that also puts this role in
        // the key policy of the stateful stack (a kms:ViaService grant), so the stacks would depend on
        // each other. Same account: the role's own policy is enough.
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            resources: [stateful.pseudonymSecretArn],
          }),
        );
        dataKey.grantDecrypt(fn);
      }
      // Envelope encryption of pupil data: a data key from KMS to seal, KMS's unwrap to open; the
      // caching materials manager keeps these to a few calls per function instance.
      if (access.pupilData === 'seal') dataKey.grant(fn, 'kms:GenerateDataKey');
      if (access.pupilData === 'open') dataKey.grant(fn, 'kms:Decrypt');
      if (access.teamQueues === 'send') {
        fn.addToRolePolicy(teamQueues);
        Validations.of(house).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:${teamQueueNames}]`,
          reason:
            'Team queues are found by name (team-queue-name.ts); the pattern covers exactly the queues ' +
            'of this deployment and keeps the policy size independent of the number of teams.',
        });
      }

      const { trigger } = declaration;
      if (trigger.kind === 'intake-queue') {
        fn.addEventSource(
          new SqsEventSource(intakeQueue, {
            batchSize: trigger.batchSize,
            maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
            maxConcurrency: trigger.maxConcurrency,
            // Only the failed messages of a batch are retried, the others are deleted.
            reportBatchItemFailures: true,
          }),
        );
        Validations.of(house).acknowledge({
          id: 'Serverless-LambdaEventSourceMappingDestination',
          reason:
            'SQS event sources take no on-failure destination; failed messages move to the intake ' +
            "queue's dead-letter queue through its redrive policy.",
        });
      }
      if (trigger.kind === 'audit-recovery-queue') {
        readQueue(
          house,
          auditStreamDeadLetterQueue,
          trigger,
          "what recover-audit cannot recover moves to the audit recovery dead-letter queue through the queue's redrive policy.",
        );
        // The alarm metrics of a late recovery: recover-audit logs one line per recovered batch.
        const lateRecovery = (
          id: string,
          metricName: string,
          pattern: IFilterPattern,
          description: string,
        ) => {
          new MetricFilter(this, `${id}Filter`, {
            logGroup: house.logGroup,
            filterPattern: pattern,
            metricNamespace,
            metricName,
            metricValue: '1',
            unit: Unit.COUNT,
          });
          new Alarm(this, `${id}Alarm`, {
            alarmDescription: description,
            metric: new Metric({
              namespace: metricNamespace,
              metricName,
              statistic: 'Sum',
              period: Duration.minutes(5),
            }),
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          });
        };
        lateRecovery(
          'AuditRecoveredLate',
          'AuditRecoveredLate',
          FilterPattern.stringValue('$.event', '=', 'audit_recovered_late'),
          'A stream batch was given up by write-audit and recovered late by recover-audit; see the ' +
            'README, "The audit trail".',
        );
        lateRecovery(
          'AuditChangesLost',
          'AuditChangesLost',
          FilterPattern.all(
            FilterPattern.stringValue('$.event', '=', 'audit_recovered_late'),
            FilterPattern.stringValue('$.method', '=', 'current-version'),
          ),
          'A stream batch was past the stream’s retention: only current versions were appended, and the ' +
            'versions before them are missing from the audit (verifyChain names them).',
        );
      }
      if (trigger.kind === 'audit-export-queue') {
        readQueue(
          house,
          auditExportQueue,
          trigger,
          "a message that keeps failing moves to the export queue's dead-letter queue through its redrive policy (the job is marked failed).",
        );
      }
      if (trigger.kind === 'schedule')
        new FunctionSchedule(this, `${house.node.id}Schedule`, { house, trigger });
      for (const metric of declaration.logMetrics ?? []) {
        new MetricFilter(this, `${house.node.id}${metric.metricName}Filter`, {
          logGroup: house.logGroup,
          filterPattern: FilterPattern.stringValue('$.event', '=', metric.event),
          metricNamespace,
          metricName: metric.metricName,
          metricValue: '1',
          unit: Unit.COUNT,
          ...(metric.dimensions ? { dimensions: { ...metric.dimensions } } : {}),
        });
      }
      if (trigger.kind === 'state-table-stream') {
        fn.addEventSource(
          new DynamoEventSource(stateTable, {
            // The audit must see every change since the stream began, not only changes after deploy.
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: trigger.batchSize,
            bisectBatchOnError: true,
            retryAttempts: trigger.retryAttempts,
            maxRecordAge: Duration.seconds(trigger.maxRecordAgeSeconds),
            reportBatchItemFailures: true,
            // One concurrent batch per shard keeps the changes of one item in order for the hash chain.
            parallelizationFactor: 1,
            onFailure: new SqsDlq(auditStreamDeadLetterQueue),
          }),
        );
        // write-audit failing for ten minutes on end: the table is down, or a record cannot be
        // appended. (IteratorAge is not reported while the function cannot be invoked at all.)
        new Alarm(this, 'AuditWriterErrorsAlarm', {
          alarmDescription: `${declaration.name} has failed every minute for ten minutes; its batches are retried.`,
          metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(1) }),
          threshold: 0,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 10,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
        // The audit falls behind the state table: a failing batch retried, or a burst. Five
        // minutes is far beyond a healthy lag (seconds) and far before the record age at which
        // the batch is given up to recovery.
        new Alarm(this, 'AuditIteratorAgeAlarm', {
          alarmDescription: `${declaration.name} is more than five minutes behind the state table's stream.`,
          metric: fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
          threshold: 5 * 60_000,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 5,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      }
    }

    const authorizer = FUNCTION_DECLARATIONS.find((d) => d.trigger.kind === 'authorizer');
    if (authorizer?.trigger.kind !== 'authorizer') throw new Error('no authorizer function');
    this.api = new SchakelApi(this, 'Api', {
      deployment: config.deployment,
      authorizer: functions[authorizer.name].function,
      authorizerCacheTtl: Duration.seconds(authorizer.trigger.cacheTtlSeconds),
      integrations: Object.fromEntries(
        FUNCTION_DECLARATIONS.filter((d) => d.trigger.kind === 'api').map((d) => [
          d.name,
          functions[d.name].function,
        ]),
      ),
    });
  }
}

/**
 * A function reading a queue one message at a time, reporting failed messages alone. SQS event
 * sources take no on-failure destination: `deadLetters` says where failures go instead.
 */
function readQueue(
  house: HouseFunction,
  queue: IQueue,
  trigger: { batchSize: number; maxConcurrency: number },
  deadLetters: string,
): void {
  house.function.addEventSource(
    new SqsEventSource(queue, {
      batchSize: trigger.batchSize,
      maxConcurrency: trigger.maxConcurrency,
      reportBatchItemFailures: true,
    }),
  );
  Validations.of(house).acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason: `SQS event sources take no on-failure destination; ${deadLetters}`,
  });
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());
}
