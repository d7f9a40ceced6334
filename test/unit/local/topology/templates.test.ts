import { describe, expect, it } from 'vitest';
import { type CfnTemplate, topologyFromTemplates } from '../../../../local/topology/templates.js';

const tags = (kind: string, teamId?: string) => [
  { Key: 'schakel:resource', Value: kind },
  ...(teamId ? [{ Key: 'schakel:team-id', Value: teamId }] : []),
  { Key: 'schakel:deployment', Value: 'demo' },
];

const keys = [
  { AttributeName: 'pk', KeyType: 'HASH' },
  { AttributeName: 'sk', KeyType: 'RANGE' },
];
const attributes = [
  { AttributeName: 'pk', AttributeType: 'S' },
  { AttributeName: 'sk', AttributeType: 'S' },
];

function stateful(extra: CfnTemplate['Resources'] = {}): CfnTemplate {
  return {
    Resources: {
      StateTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: keys,
          AttributeDefinitions: [...attributes, { AttributeName: 'gsi1pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          GlobalSecondaryIndexes: [
            {
              IndexName: 'bySignal',
              KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
              ContributorInsightsSpecification: { Enabled: true },
            },
          ],
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          Tags: tags('state-table'),
        },
      },
      AuditTable: {
        Type: 'AWS::DynamoDB::GlobalTable',
        Properties: {
          KeySchema: keys,
          AttributeDefinitions: attributes,
          BillingMode: 'PAY_PER_REQUEST',
          Replicas: [{ Region: 'eu-west-1', Tags: tags('audit-table') }],
        },
      },
      IntakeDlq: {
        Type: 'AWS::SQS::Queue',
        Properties: { MessageRetentionPeriod: 1209600, Tags: tags('intake-dlq') },
      },
      Intake: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 181,
          SqsManagedSseEnabled: true,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['IntakeDlq', 'Arn'] }, maxReceiveCount: 5 },
          Tags: tags('intake-queue'),
        },
      },
      AuditDlq: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 720,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': ['RecoveryDlq', 'Arn'] },
            maxReceiveCount: 20,
          },
          Tags: tags('audit-stream-dlq'),
        },
      },
      RecoveryDlq: { Type: 'AWS::SQS::Queue', Properties: { Tags: tags('audit-recovery-dlq') } },
      TeamDlq: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: 'schakel-demo-team-t1-dlq', Tags: tags('team-dlq', 't1') },
      },
      TeamQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'schakel-demo-team-t1',
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['TeamDlq', 'Arn'] }, maxReceiveCount: 3 },
          Tags: tags('team-queue', 't1'),
        },
      },
      ExportDlq: { Type: 'AWS::SQS::Queue', Properties: { Tags: tags('audit-export-dlq') } },
      Exports: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: 5400,
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['ExportDlq', 'Arn'] }, maxReceiveCount: 5 },
          Tags: tags('audit-export-queue'),
        },
      },
      ExportBucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          LifecycleConfiguration: {
            Rules: [
              {
                Id: 'expire-export-files',
                Status: 'Enabled',
                ExpirationInDays: 7,
                AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              },
            ],
          },
          Tags: tags('export-bucket'),
        },
      },
      Untagged: { Type: 'AWS::SQS::Queue', Properties: {} },
      ...extra,
    },
  };
}

describe('topologyFromTemplates', () => {
  const topology = topologyFromTemplates(stateful(), undefined, 'demo');

  it('turns the tagged tables into CreateTable inputs DynamoDB Local accepts', () => {
    const state = topology.tables.find((t) => t.kind === 'state-table');

    expect(state?.create).toEqual({
      TableName: 'schakel-local-state',
      KeySchema: keys,
      AttributeDefinitions: [...attributes, { AttributeName: 'gsi1pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'bySignal',
          KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(state?.timeToLiveAttribute).toBe('expiresAt');
  });

  it('finds a table tagged per replica (CDK TableV2)', () => {
    expect(topology.tables.find((t) => t.kind === 'audit-table')?.create.TableName).toBe(
      'schakel-local-audit',
    );
  });

  it('names team queues as the stack does and gives the others stable local names', () => {
    expect(topology.queues.map((q) => [q.kind, q.name])).toEqual([
      ['intake-dlq', 'schakel-local-intake-dlq'],
      ['intake-queue', 'schakel-local-intake'],
      ['audit-stream-dlq', 'schakel-local-audit-stream-dlq'],
      ['audit-recovery-dlq', 'schakel-local-audit-recovery-dlq'],
      ['team-dlq', 'schakel-demo-team-t1-dlq'],
      ['team-queue', 'schakel-demo-team-t1'],
      ['audit-export-dlq', 'schakel-local-audit-exports-dlq'],
      ['audit-export-queue', 'schakel-local-audit-exports'],
    ]);
  });

  it('finds the export bucket with its expiry, under a stable local name', () => {
    expect(topology.exportBucket).toEqual({
      logicalId: 'ExportBucket',
      name: 'schakel-local-exports',
      expirationDays: 7,
    });
    const template = stateful();
    delete template.Resources?.ExportBucket;
    expect(() => topologyFromTemplates(template, undefined, 'demo')).toThrow(/export-bucket/);
  });

  it('keeps the queue attributes and the redrive target, without encryption settings', () => {
    const intake = topology.queues.find((q) => q.kind === 'intake-queue');

    expect(intake?.attributes).toEqual({ VisibilityTimeout: '181' });
    expect(intake?.redrive).toEqual({ deadLetterLogicalId: 'IntakeDlq', maxReceiveCount: 5 });
  });

  it('fails when a required resource is not tagged', () => {
    const template = stateful();
    delete template.Resources?.AuditDlq;

    expect(() => topologyFromTemplates(template, undefined, 'demo')).toThrow(/audit-stream-dlq/);
  });

  it('reads the event source mappings and the authorizer from the stateless template', () => {
    const stateless: CfnTemplate = {
      Resources: {
        Stream: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            StartingPosition: 'TRIM_HORIZON',
            BatchSize: 50,
            MaximumRetryAttempts: 10,
            MaximumRecordAgeInSeconds: 600,
            BisectBatchOnFunctionError: true,
            FunctionResponseTypes: ['ReportBatchItemFailures'],
          },
        },
        Recovery: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            EventSourceArn: { 'Fn::ImportValue': 'schakel-demo-audit-stream-dead-letter-queue-arn' },
            BatchSize: 1,
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            ScalingConfig: { MaximumConcurrency: 2 },
          },
        },
        Intake: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            BatchSize: 10,
            MaximumBatchingWindowInSeconds: 1,
            ScalingConfig: { MaximumConcurrency: 4 },
          },
        },
        Authorizer: {
          Type: 'AWS::ApiGateway::Authorizer',
          Properties: {
            Type: 'REQUEST',
            IdentitySource: 'method.request.header.Authorization',
            AuthorizerResultTtlInSeconds: 60,
          },
        },
      },
    };

    const result = topologyFromTemplates(stateful(), stateless, 'demo');

    expect(result.streamMapping).toEqual({
      batchSize: 50,
      maxRetryAttempts: 10,
      maxRecordAgeSeconds: 600,
      bisectOnError: true,
      reportBatchItemFailures: true,
    });
    expect(result.intakeMapping).toEqual({
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      reportBatchItemFailures: false,
      maxConcurrency: 4,
    });
    expect(result.recoveryMapping).toEqual({
      batchSize: 1,
      maxBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      maxConcurrency: 2,
    });
    expect(result.authorizer).toEqual({
      identitySources: ['method.request.header.Authorization'],
      resultTtlSeconds: 60,
    });
  });
});
