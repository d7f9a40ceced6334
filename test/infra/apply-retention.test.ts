import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../functions/registry.js';
import { exportName } from '../../infra/stateful-stack.js';
import { asArray, demoConfig, propertiesOf, resourcesOfType, synthesize } from './support.js';

// apply-retention in AWS: an EventBridge rule runs it daily at 02:15 UTC (03:15 in Amsterdam in
// winter, 04:15 in summer), and it may read and write the two tables and nothing else.

const config = demoConfig();
const { templates, stateless: stack } = synthesize(config);
const template = templates.stateless;
type Json = Record<string, unknown>;

const fn = stack.functions['apply-retention'];
const functionId = stack.getLogicalId(fn.function.node.defaultChild as never);

function roleStatements(): Json[] {
  const policy = fn.role.node.tryFindChild('DefaultPolicy');
  if (!policy) return [];
  const id = stack.getLogicalId(policy.node.defaultChild as never);
  const resource = (template.toJSON().Resources as Record<string, { Properties: Json }>)[id];
  if (!resource) throw new Error('no policy resource for apply-retention');
  return ((resource.Properties.PolicyDocument as { Statement?: Json[] }).Statement ?? []) as Json[];
}

describe('apply-retention in the stateless stack', () => {
  it('runs on a daily EventBridge schedule at 02:15 UTC', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').map(([, r]) => propertiesOf(r));
    const rule = rules.find((r) =>
      asArray(r.Targets as Json[]).some((t) => JSON.stringify(t.Arn).includes(functionId)),
    );

    expect(FUNCTIONS['apply-retention'].trigger).toMatchObject({ kind: 'schedule', cron: '15 2 * * ? *' });
    expect(rule).toMatchObject({ ScheduleExpression: 'cron(15 2 * * ? *)', State: 'ENABLED' });
    expect(rule?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
      }),
    ]);
  });

  it('alarms when a run fails', () => {
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => propertiesOf(a))
      .filter((a) => JSON.stringify(a.Dimensions ?? null).includes(functionId));

    expect(alarms).toEqual([
      expect.objectContaining({
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Period: 3600,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]);
  });

  it('lets only EventBridge invoke it', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission')
      .map(([, p]) => propertiesOf(p))
      .filter((p) => JSON.stringify(p.FunctionName).includes(functionId));

    expect(permissions).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' }),
    ]);
  });

  it('gets fifteen minutes, its maximum, to stop in good time and leave the rest to the next run', () => {
    const properties = propertiesOf(template.toJSON().Resources[functionId]);

    expect(properties.Timeout).toBe(900);
  });

  it('may read and write the state and audit tables, and nothing else of the deployment', () => {
    const statements = roleStatements();
    const on = (reference: Parameters<typeof exportName>[1]) =>
      statements.filter((s) => JSON.stringify(s.Resource).includes(exportName(config.deployment, reference)));
    const actions = (list: Json[]) => list.flatMap((s) => asArray(s.Action as string | string[]));

    for (const table of ['stateTableArn', 'auditTableArn'] as const) {
      expect(actions(on(table)), table).toEqual(
        expect.arrayContaining([
          'dynamodb:Scan',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:BatchWriteItem',
        ]),
      );
    }
    expect(actions(on('auditTableArn'))).toContain('dynamodb:DeleteItem');
    const elsewhere = statements.filter(
      (s) =>
        !['stateTableArn', 'auditTableArn', 'dataKeyArn'].some((r) =>
          JSON.stringify(s.Resource).includes(
            exportName(config.deployment, r as Parameters<typeof exportName>[1]),
          ),
        ),
    );
    // What remains is what every function has: tracing (X-Ray supports no resource-level
    // permissions) and writing its own log group.
    expect(
      actions(elsewhere)
        .filter((a) => !a.startsWith('xray:'))
        .sort(),
    ).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(statements)).not.toContain('sqs:');
    expect(JSON.stringify(statements)).not.toContain(exportName(config.deployment, 'stateTableStreamArn'));
  });
});
