import type { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { asArray, iamStatements, propertiesOf, resourcesOfType, synthesize } from './support.js';

// Rules that hold for the whole deployment, whatever is added later.

const synthesized = synthesize();
const { templates } = synthesized;
const stacks = [
  ['stateful', templates.stateful, synthesized.stateful],
  ['stateless', templates.stateless, synthesized.stateless],
] as const;

type Json = Record<string, unknown>;

describe('template-wide rules', () => {
  it.each(stacks)('%s: no IAM policy statement allows the action * or service:*', (_, template) => {
    const statements = iamStatements(template);
    for (const { source, statement } of statements) {
      for (const action of [
        ...asArray(statement.Action as string | string[]),
        ...asArray(statement.NotAction as string | string[]),
      ]) {
        expect(action, `${source}: ${action}`).not.toBe('*');
        expect(action, `${source}: ${action}`).not.toMatch(/:\*$/);
      }
    }
  });

  it('finds the IAM statements it checks (the rule above is not vacuous)', () => {
    expect(iamStatements(templates.stateless).length).toBeGreaterThan(10);
  });

  it('gives every queue a dead-letter queue or uses it as one (redrive or stream on-failure)', () => {
    const queues = resourcesOfType(templates.stateful, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    const deadLetterTargets = new Set<string>();
    for (const [, q] of queues) {
      const target = (
        propertiesOf(q).RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': [string] } } | undefined
      )?.deadLetterTargetArn?.['Fn::GetAtt'][0];
      if (target) deadLetterTargets.add(target);
    }
    // On-failure destinations are imports of the stateful stack's exports; follow them to the queue.
    const exportsByName = new Map<string, unknown>();
    for (const output of Object.values(templates.stateful.toJSON().Outputs ?? {}) as Json[]) {
      const name = (output.Export as { Name?: string } | undefined)?.Name;
      if (name) exportsByName.set(name, output.Value);
    }
    for (const [, mapping] of resourcesOfType(templates.stateless, 'AWS::Lambda::EventSourceMapping')) {
      const destination = (propertiesOf(mapping).DestinationConfig as Json | undefined)?.OnFailure as
        | { Destination: { 'Fn::ImportValue': string } }
        | undefined;
      if (!destination) continue;
      const value = exportsByName.get(destination.Destination['Fn::ImportValue']) as
        | { 'Fn::GetAtt': [string, string] }
        | undefined;
      if (value) deadLetterTargets.add(value['Fn::GetAtt'][0]);
    }
    for (const [id, q] of queues) {
      const ok = propertiesOf(q).RedrivePolicy !== undefined || deadLetterTargets.has(id);
      expect(ok, `${id} has no dead-letter queue and is none`).toBe(true);
    }
  });

  it('keeps every table, queue and key when it leaves the template (no data lost on removal)', () => {
    const stateful = templates.stateful.toJSON().Resources as Record<string, Json>;
    const kept = ['AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::KMS::Key'];
    const holders = Object.entries(stateful).filter(([, r]) => kept.includes(r.Type as string));
    expect(holders.length).toBeGreaterThan(4);
    for (const [id, resource] of holders) {
      expect(resource.DeletionPolicy, `${id} (${resource.Type})`).toBe('Retain');
      expect(resource.UpdateReplacePolicy, `${id} (${resource.Type})`).toBe('Retain');
    }
  });

  describe('cdk-nag', () => {
    const packs: [string, () => NagPack][] = [
      ['AwsSolutions', () => new AwsSolutionsChecks()],
      ['Serverless', () => new ServerlessChecks()],
    ];
    const cases = packs.flatMap(([pack, make]) =>
      stacks.map(([name, , stack]) => [pack, name, make, stack] as [string, string, () => NagPack, Stack]),
    );

    it.each(cases)('%s reports no unacknowledged finding in the %s stack', (_, __, make, stack) => {
      const report = make().validateScope(stack);
      const findings = report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      expect(findings).toEqual([]);
    });
  });
});
