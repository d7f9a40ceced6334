import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/registry.js';
import { STATE_TABLE } from '../../functions/shared/adapters/state-table.js';
import { exportName } from '../../infra/stateful-stack.js';
import { asArray, demoConfig, propertiesOf, resourcesOfType, synthesize } from './support.js';

// "Every signal finds help" in AWS: escalate-referrals runs hourly on an EventBridge rule and may
// read and write the state table and send to team queues, nothing else; follow-signals serves the
// search, assignment and lead-time operations; the state table has the sparse byWork index; and
// the unroutable and overdue log events are metrics an alarm can watch.

const config = demoConfig();
const { templates, stateless: stack } = synthesize(config);
const template = templates.stateless;
type Json = Record<string, unknown>;

const logicalIdOf = (name: 'escalate-referrals' | 'follow-signals') =>
  stack.getLogicalId(stack.functions[name].function.node.defaultChild as never);

function roleStatements(name: 'escalate-referrals' | 'follow-signals'): Json[] {
  const policy = stack.functions[name].role.node.tryFindChild('DefaultPolicy');
  if (!policy) return [];
  const id = stack.getLogicalId(policy.node.defaultChild as never);
  const resource = (template.toJSON().Resources as Record<string, { Properties: Json }>)[id];
  if (!resource) throw new Error(`no policy resource for ${name}`);
  return ((resource.Properties.PolicyDocument as { Statement?: Json[] }).Statement ?? []) as Json[];
}
const actionsOf = (statements: Json[]) => statements.flatMap((s) => asArray(s.Action as string | string[]));

describe('escalate-referrals in the stateless stack', () => {
  const functionId = logicalIdOf('escalate-referrals');

  it('runs every hour on an EventBridge schedule', () => {
    const rule = resourcesOfType(template, 'AWS::Events::Rule')
      .map(([, r]) => propertiesOf(r))
      .find((r) => asArray(r.Targets as Json[]).some((t) => JSON.stringify(t.Arn).includes(functionId)));

    expect(FUNCTIONS['escalate-referrals'].trigger).toMatchObject({ kind: 'schedule', cron: '0 * * * ? *' });
    expect(rule).toMatchObject({ ScheduleExpression: 'cron(0 * * * ? *)', State: 'ENABLED' });
  });

  it('lets only EventBridge invoke it and alarms when a run fails', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission')
      .map(([, p]) => propertiesOf(p))
      .filter((p) => JSON.stringify(p.FunctionName).includes(functionId));
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => propertiesOf(a))
      .filter((a) => JSON.stringify(a.Dimensions ?? null).includes(functionId));

    expect(permissions).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' }),
    ]);
    expect(alarms).toEqual([expect.objectContaining({ MetricName: 'Errors', Threshold: 0 })]);
  });

  it('may read and write the state table and send to the team queues, and nothing else', () => {
    const statements = roleStatements('escalate-referrals');
    const stateTable = exportName(config.deployment, 'stateTableArn');
    const onTable = statements.filter((s) => JSON.stringify(s.Resource).includes(stateTable));
    const sqs = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')));

    expect(actionsOf(onTable)).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem']));
    expect(actionsOf(sqs)).toEqual(['sqs:SendMessage', 'sqs:GetQueueUrl']);
    expect(JSON.stringify(statements)).not.toContain(exportName(config.deployment, 'auditTableArn'));
    expect(JSON.stringify(statements)).not.toContain(exportName(config.deployment, 'intakeQueueArn'));
  });
});

describe('follow-signals in the stateless stack', () => {
  it('serves GET /v1/signals, POST /v1/signals/{id}/assignments and GET /v1/lead-times', () => {
    const functionId = logicalIdOf('follow-signals');
    const methods = resourcesOfType(template, 'AWS::ApiGateway::Method')
      .map(([, m]) => propertiesOf(m))
      .filter((m) => JSON.stringify((m.Integration as Json | undefined)?.Uri ?? null).includes(functionId))
      .map((m) => m.HttpMethod)
      .sort();

    expect(methods).toEqual(['GET', 'GET', 'POST']);
  });

  it('is given neither the pupil data key nor the pseudonym secret: it never opens pupil data', () => {
    const properties = propertiesOf(template.toJSON().Resources[logicalIdOf('follow-signals')]);
    const variables = Object.keys((properties.Environment as { Variables: Json }).Variables);

    // The deployment configuration is compiled into the bundle, not an environment variable.
    expect(variables).toEqual(expect.arrayContaining(['STATE_TABLE_NAME', 'DEPLOYMENT_NAME']));
    expect(variables).not.toContain('PUPIL_DATA_KEY_ARN');
    expect(variables).not.toContain('PSEUDONYM_SECRET_ARN');
    expect(actionsOf(roleStatements('follow-signals'))).not.toContain('secretsmanager:GetSecretValue');
  });
});

describe('the state table', () => {
  it('has the sparse byWork index over gsi3pk/gsi3sk beside bySignal and byTeam', () => {
    const table = resourcesOfType(templates.stateful, 'AWS::DynamoDB::Table')
      .map(([, t]) => propertiesOf(t))
      .find((t) => asArray(t.GlobalSecondaryIndexes as Json[]).some((i) => i.IndexName === 'bySignal'));
    const byWork = asArray(table?.GlobalSecondaryIndexes as Json[]).find((i) => i.IndexName === 'byWork');

    expect(Object.keys(STATE_TABLE.indexes)).toEqual(['bySignal', 'byTeam', 'byWork']);
    expect(byWork).toMatchObject({
      KeySchema: [
        { AttributeName: 'gsi3pk', KeyType: 'HASH' },
        { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
      ],
    });
  });
});

describe('metrics of the flow', () => {
  it.each([
    ['route-signal', 'signal_unroutable', 'SignalsUnroutable'],
    ['track-referral', 'signal_unroutable', 'SignalsUnroutable'],
    ['escalate-referrals', 'referral_overdue', 'ReferralsOverdue'],
  ] as const)('counts %s’s %s lines as %s per municipality', (name, event, metricName) => {
    const logGroupId = stack.getLogicalId(stack.functions[name].logGroup.node.defaultChild as never);
    const filters = resourcesOfType(template, 'AWS::Logs::MetricFilter')
      .map(([, f]) => propertiesOf(f))
      .filter((f) => JSON.stringify(f.LogGroupName).includes(logGroupId));

    expect(filters).toContainEqual(
      expect.objectContaining({
        FilterPattern: `{ $.event = "${event}" }`,
        MetricTransformations: [
          expect.objectContaining({
            MetricNamespace: `Schakel/${config.deployment}`,
            MetricName: metricName,
            MetricValue: '1',
            Dimensions: expect.arrayContaining([{ Key: 'Municipality', Value: '$.municipality' }]),
          }),
        ],
      }),
    );
  });
});
