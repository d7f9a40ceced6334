import { Aws, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTIONS, type FunctionName } from '../functions/catalog.js';
import { STATE_TABLE } from '../functions/shared/state-table.js';
import { teamQueueNamePattern } from '../functions/shared/team-queue-name.js';
import type { DeploymentConfig } from '../schemas/deployment-config.js';
import { type EnvironmentValues, HouseFunction } from './constructs/house-function.js';
import { SchakelApi } from './constructs/schakel-api.js';
import { INTAKE_BATCH_SIZE, INTAKE_MAX_BATCHING_WINDOW } from './settings.js';
import { exportName, type StatefulReferences } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  config: DeploymentConfig;
  /** Imports of the stateful stack's exports (StatefulStack.references). */
  stateful: StatefulReferences;
}

/** Stream records per write-audit call: small enough that a retried batch redoes little work. */
const AUDIT_BATCH_SIZE = 50;
/** Retries of a failing stream batch (halved each time) before it goes to the on-failure queue. */
const AUDIT_RETRY_ATTEMPTS = 10;

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

    const values: EnvironmentValues = {
      STATE_TABLE_NAME: stateful.stateTableName,
      AUDIT_TABLE_NAME: stateful.auditTableName,
      INTAKE_QUEUE_URL: stateful.intakeQueueUrl,
      DEPLOYMENT_NAME: config.deployment,
      PSEUDONYM_SECRET_ARN: stateful.pseudonymSecretArn,
      SCHAKEL_DEPLOYMENT_CONFIG: JSON.stringify(config),
    };
    const functions = Object.fromEntries(
      (Object.keys(FUNCTIONS) as FunctionName[]).map((name) => [
        name,
        new HouseFunction(this, pascal(name), { name, values }),
      ]),
    ) as Record<FunctionName, HouseFunction>;
    this.functions = functions;
    const fn = (name: FunctionName) => functions[name].function;

    stateTable.grantReadData(fn('authorize-client'));
    stateTable.grantReadWriteData(fn('receive-signal'));
    intakeQueue.grantSendMessages(fn('receive-signal'));
    stateTable.grantReadWriteData(fn('route-signal'));
    stateTable.grantReadWriteData(fn('track-referral'));
    auditTable.grantReadWriteData(fn('write-audit'));
    auditTable.grantReadData(fn('list-audit-events'));

    for (const name of ['authorize-client', 'receive-signal', 'route-signal', 'track-referral'] as const) {
      Validations.of(functions[name]).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${exportName(config.deployment, 'stateTableArn')}/index/*]`,
        reason: "The state table's own GSIs (bySignal, byTeam), added by the table grant; no other table.",
      });
    }
    for (const name of ['receive-signal', 'route-signal', 'track-referral', 'write-audit'] as const) {
      Validations.of(functions[name]).acknowledge(
        ...['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason:
            "Added by the table's write grant for its customer-managed key, on that one key only " +
            '(DynamoDB needs the variants of these actions to write encrypted items).',
        })),
      );
    }

    // Not Secret.grantRead: for a secret under a customer-managed key that also puts this role in
    // the key policy of the stateful stack (a kms:ViaService grant), so the stacks would depend on
    // each other. Same account: the role's own policy is enough.
    fn('receive-signal').addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [stateful.pseudonymSecretArn],
      }),
    );
    dataKey.grantDecrypt(fn('receive-signal'));

    // One statement on a name pattern instead of a grant per team queue: the policy stays the same
    // size for 3 or 100 teams (IAM caps a role's inline policies at 10,240 characters), and this
    // stack never references a team queue, so no per-team cross-stack export exists. Withdrawal
    // notices (receive-signal) and referrals (route-signal) go to team queues.
    const teamQueueNames = teamQueueNamePattern(config.deployment);
    const teamQueues = new PolicyStatement({
      actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
      resources: [`arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:${teamQueueNames}`],
    });
    for (const name of ['receive-signal', 'route-signal'] as const) {
      fn(name).addToRolePolicy(teamQueues);
      Validations.of(functions[name]).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:${teamQueueNames}]`,
        reason:
          'Team queues are found by name (team-queue-name.ts); the pattern covers exactly the queues ' +
          'of this deployment and keeps the policy size independent of the number of teams.',
      });
    }

    fn('route-signal').addEventSource(
      new SqsEventSource(intakeQueue, {
        batchSize: INTAKE_BATCH_SIZE,
        maxBatchingWindow: INTAKE_MAX_BATCHING_WINDOW,
        // Only the failed messages of a batch are retried, the others are deleted.
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(functions['route-signal']).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event sources take no on-failure destination; failed messages move to the intake ' +
        "queue's dead-letter queue through its redrive policy.",
    });

    fn('write-audit').addEventSource(
      new DynamoEventSource(stateTable, {
        // The audit must see every change since the stream began, not only changes after deploy.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: AUDIT_BATCH_SIZE,
        bisectBatchOnError: true,
        retryAttempts: AUDIT_RETRY_ATTEMPTS,
        reportBatchItemFailures: true,
        // One concurrent batch per shard keeps the changes of one item in order for the hash chain.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(auditStreamDeadLetterQueue),
      }),
    );

    this.api = new SchakelApi(this, 'Api', {
      deployment: config.deployment,
      authorizer: fn('authorize-client'),
      integrations: {
        'receive-signal': fn('receive-signal'),
        'track-referral': fn('track-referral'),
        'list-audit-events': fn('list-audit-events'),
        'serve-openapi': fn('serve-openapi'),
      },
    });
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());
}
