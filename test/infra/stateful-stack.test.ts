import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EXPORT_AUDIT } from '../../functions/export-audit/declaration.js';
import { RECOVER_AUDIT } from '../../functions/recover-audit/declaration.js';
import { ROUTE_SIGNAL } from '../../functions/route-signal/declaration.js';
import { AUDIT_TABLE, STATE_TABLE } from '../../functions/shared/adapters/state-table.js';
import { teamDeadLetterQueueName, teamQueueName } from '../../functions/shared/adapters/team-queue-name.js';
import { MAX_RECEIVE_COUNT } from '../../infra/settings.js';
import { exportName } from '../../infra/stateful-stack.js';
import {
  demoConfig,
  propertiesOf,
  resourcesOfType,
  synthesize,
  taggedLogicalIds,
  tagsOf,
} from './support.js';

const config = demoConfig();
const { templates } = synthesize(config);
const stateful = templates.stateful;

const FOURTEEN_DAYS = 14 * 24 * 60 * 60;

function only(type: string, kind: string): Record<string, unknown> {
  const ids = taggedLogicalIds(stateful, type, kind);
  expect(ids, `${type} tagged ${kind}`).toHaveLength(1);
  const [id] = ids as [string];
  return stateful.toJSON().Resources[id];
}

describe('stateful stack', () => {
  describe('state table', () => {
    const table = propertiesOf(only('AWS::DynamoDB::Table', 'state-table'));

    it('keys items by string pk and sk', () => {
      expect(table.KeySchema).toEqual([
        { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
      ]);
      expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    });

    it.each(Object.entries(STATE_TABLE.indexes))(
      'has GSI %s with string keys and ALL projection',
      (name, keys) => {
        expect(table.GlobalSecondaryIndexes).toContainEqual({
          IndexName: name,
          KeySchema: [
            { AttributeName: keys.partitionKey, KeyType: 'HASH' },
            { AttributeName: keys.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        });
        expect(table.AttributeDefinitions).toEqual(
          expect.arrayContaining([
            { AttributeName: keys.partitionKey, AttributeType: 'S' },
            { AttributeName: keys.sortKey, AttributeType: 'S' },
          ]),
        );
      },
    );

    it('expires items on expiresAt', () => {
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    });

    it('streams new and old images for the audit', () => {
      expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    });

    it('enables point-in-time recovery and KMS encryption with the data key', () => {
      expect(table.PointInTimeRecoverySpecification).toMatchObject({ PointInTimeRecoveryEnabled: true });
      expect(table.SSESpecification).toMatchObject({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
      });
    });
  });

  describe('audit table', () => {
    const table = propertiesOf(only('AWS::DynamoDB::Table', 'audit-table'));

    it('enables point-in-time recovery and KMS encryption', () => {
      expect(table.PointInTimeRecoverySpecification).toMatchObject({ PointInTimeRecoveryEnabled: true });
      expect(table.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    });

    it('has no stream', () => {
      expect(table.StreamSpecification).toBeUndefined();
    });

    it('has the sparse GSI byPupil on the pupil key and the chain sort key, carrying only the entry', () => {
      const { byPupil } = AUDIT_TABLE.indexes;
      expect(table.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'byPupil',
          KeySchema: [
            { AttributeName: byPupil.partitionKey, KeyType: 'HASH' },
            { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['entry'] },
        },
      ]);
      expect(table.AttributeDefinitions).toEqual(
        expect.arrayContaining([{ AttributeName: byPupil.partitionKey, AttributeType: 'S' }]),
      );
    });
  });

  it.each(['state-table', 'audit-table'])('retains the %s and protects it from deletion', (kind) => {
    const table = only('AWS::DynamoDB::Table', kind);
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(propertiesOf(table).DeletionProtectionEnabled).toBe(true);
  });

  it('rotates the customer-managed data key and retains it with the tables', () => {
    stateful.resourceCountIs('AWS::KMS::Key', 1);
    stateful.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
  });

  it('generates a retained 64-character pseudonym key encrypted with the data key', () => {
    stateful.hasResource('AWS::SecretsManager::Secret', {
      Properties: Match.objectLike({
        GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  describe('audit export bucket', () => {
    const bucket = propertiesOf(only('AWS::S3::Bucket', 'export-bucket'));
    const [keyId] = resourcesOfType(stateful, 'AWS::KMS::Key').map(([id]) => id);

    it('encrypts files with the data key, with a bucket key', () => {
      expect(bucket.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      });
    });

    it('blocks every kind of public access and owns its objects', () => {
      expect(bucket.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    });

    it('refuses requests without TLS (1.2 or later)', () => {
      const [, policy] = resourcesOfType(stateful, 'AWS::S3::BucketPolicy')[0] ?? [];
      const statements = JSON.stringify(propertiesOf(policy as Record<string, unknown>).PolicyDocument);
      expect(statements).toContain('"aws:SecureTransport":"false"');
      expect(statements).toContain('"s3:TlsVersion":1.2');
    });

    it('expires files after the configured days (7 by default) and unfinished uploads after one', () => {
      expect(bucket.LifecycleConfiguration).toEqual({
        Rules: [
          {
            Id: 'expire-export-files',
            Status: 'Enabled',
            ExpirationInDays: 7,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      });
      const { templates: longer } = synthesize({ ...config, auditExports: { fileRetentionDays: 30 } });
      const [id] = taggedLogicalIds(longer.stateful, 'AWS::S3::Bucket', 'export-bucket');
      const rules = propertiesOf(longer.stateful.toJSON().Resources[id as string]).LifecycleConfiguration;
      expect(JSON.stringify(rules)).toContain('"ExpirationInDays":30');
    });

    it('is kept when the stack is deleted', () => {
      expect(only('AWS::S3::Bucket', 'export-bucket').DeletionPolicy).toBe('Retain');
    });

    it('alarms on any message in the export queue’s dead-letter queue', () => {
      const [dlqId] = taggedLogicalIds(stateful, 'AWS::SQS::Queue', 'audit-export-dlq');
      stateful.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('gives the export queue six times export-audit’s timeout of visibility and a dead-letter queue', () => {
      const queue = propertiesOf(only('AWS::SQS::Queue', 'audit-export-queue'));
      const [dlqId] = taggedLogicalIds(stateful, 'AWS::SQS::Queue', 'audit-export-dlq');
      expect(queue.VisibilityTimeout).toBe(6 * EXPORT_AUDIT.timeoutSeconds);
      expect(queue.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      });
    });
  });

  describe('queues', () => {
    const queues = resourcesOfType(stateful, 'AWS::SQS::Queue');

    it('sets the intake visibility timeout to at least six times route-signal timeout', () => {
      const intake = propertiesOf(only('AWS::SQS::Queue', 'intake-queue'));
      expect(intake.VisibilityTimeout).toBeGreaterThanOrEqual(6 * ROUTE_SIGNAL.timeoutSeconds);
    });

    it('moves intake messages to the intake DLQ after MAX_RECEIVE_COUNT receives', () => {
      const [dlqId] = taggedLogicalIds(stateful, 'AWS::SQS::Queue', 'intake-dlq');
      expect(propertiesOf(only('AWS::SQS::Queue', 'intake-queue')).RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      });
    });

    it.each(['intake-dlq', 'audit-stream-dlq', 'audit-recovery-dlq', 'team-dlq'])(
      'keeps %s messages for 14 days',
      (kind) => {
        const ids = taggedLogicalIds(stateful, 'AWS::SQS::Queue', kind);
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) {
          expect(propertiesOf(stateful.toJSON().Resources[id]).MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
        }
      },
    );

    it('encrypts every queue with SQS-managed keys', () => {
      for (const [id, queue] of queues) expect(propertiesOf(queue).SqsManagedSseEnabled, id).toBe(true);
    });

    it('denies every queue access without TLS', () => {
      const sslOnly = new Set<string>();
      for (const [, policy] of resourcesOfType(stateful, 'AWS::SQS::QueuePolicy')) {
        const { PolicyDocument, Queues } = propertiesOf(policy) as {
          PolicyDocument: { Statement: { Effect: string; Condition?: unknown }[] };
          Queues: { Ref: string }[];
        };
        const denies = PolicyDocument.Statement.some(
          (s) =>
            s.Effect === 'Deny' &&
            JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        );
        if (denies) for (const q of Queues) sslOnly.add(q.Ref);
      }
      for (const [id] of queues) expect(sslOnly.has(id), id).toBe(true);
    });

    it('tags every queue with its kind', () => {
      for (const [id, queue] of queues) expect(tagsOf(queue)['schakel:resource'], id).toBeDefined();
    });

    it.each(config.teams.map((t) => t.id))(
      'gives team %s a named queue and DLQ tagged with its id',
      (teamId) => {
        const byTag = (kind: string) =>
          queues.filter(
            ([, q]) => tagsOf(q)['schakel:resource'] === kind && tagsOf(q)['schakel:team-id'] === teamId,
          );
        const [queue] = byTag('team-queue');
        const [dlq] = byTag('team-dlq');
        expect(byTag('team-queue')).toHaveLength(1);
        expect(byTag('team-dlq')).toHaveLength(1);
        if (!queue || !dlq) return;
        expect(propertiesOf(queue[1]).QueueName).toBe(teamQueueName(config.deployment, teamId));
        expect(propertiesOf(dlq[1]).QueueName).toBe(teamDeadLetterQueueName(config.deployment, teamId));
        expect(propertiesOf(queue[1]).RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [dlq[0], 'Arn'] },
          maxReceiveCount: MAX_RECEIVE_COUNT,
        });
      },
    );

    it('has exactly the queues of the design: intake pair, audit recovery pair, audit export pair and a pair per team', () => {
      expect(queues).toHaveLength(6 + 2 * config.teams.length);
    });

    it('gives the stream’s on-failure queue to recover-audit for four hours, then to its dead-letter queue', () => {
      const recovery = propertiesOf(only('AWS::SQS::Queue', 'audit-stream-dlq'));
      const [dlqId] = taggedLogicalIds(stateful, 'AWS::SQS::Queue', 'audit-recovery-dlq');

      expect(recovery.VisibilityTimeout).toBe(6 * RECOVER_AUDIT.timeoutSeconds);
      expect(recovery.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: 20,
      });
      stateful.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });
  });

  it('exports what the stateless stack imports under fixed names', () => {
    const exported = Object.values(stateful.toJSON().Outputs ?? {}).map(
      (o) => (o as { Export?: { Name?: string } }).Export?.Name,
    );
    expect(exported).toEqual(
      expect.arrayContaining([
        exportName(config.deployment, 'stateTableName'),
        exportName(config.deployment, 'stateTableStreamArn'),
        exportName(config.deployment, 'intakeQueueUrl'),
        exportName(config.deployment, 'auditStreamDeadLetterQueueArn'),
        exportName(config.deployment, 'auditRecoveryDeadLetterQueueArn'),
      ]),
    );
    expect(exportName('demo', 'stateTableArn')).toBe('schakel-demo-state-table-arn');
  });
});
