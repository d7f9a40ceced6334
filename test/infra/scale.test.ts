import { describe, expect, it } from 'vitest';
import { DeploymentConfigSchema } from '../../schemas/deployment-config.js';
import { regionConfig, synthesize } from './support.js';

// CloudFormation quotas per stack (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
const MAX_RESOURCES = 500;
const MAX_OUTPUTS = 200;
const MAX_TEMPLATE_BYTES = 1_000_000;

const counts = (synth: ReturnType<typeof synthesize>, stack: 'stateful' | 'stateless') => {
  const template = synth.templates[stack].toJSON();
  return {
    resources: Object.keys(template.Resources ?? {}).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    bytes: synth.templateBytes[stack],
  };
};

describe('a deployment for a whole youth-care region', () => {
  const config = regionConfig(100);
  const region = synthesize(config);
  const small = synthesize(regionConfig(3));

  it('uses a valid 100-team config starting with the municipalities of Holland-Rijnland', () => {
    expect(DeploymentConfigSchema.safeParse(config).success).toBe(true);
    expect(config.teams).toHaveLength(100);
    expect(config.teams[0]?.id).toBe('jgt-alphen-aan-den-rijn');
  });

  it.each(['stateful', 'stateless'] as const)(
    'keeps the %s stack within the CloudFormation quotas',
    (stack) => {
      const c = counts(region, stack);
      console.info(`100 teams, ${stack}: ${c.resources} resources, ${c.outputs} outputs, ${c.bytes} bytes`);
      expect(c.resources).toBeLessThan(MAX_RESOURCES);
      expect(c.outputs).toBeLessThan(MAX_OUTPUTS);
      expect(c.bytes).toBeLessThan(MAX_TEMPLATE_BYTES);
    },
  );

  it('adds four resources per team (two queues, two SSL-only policies) to the stateful stack only', () => {
    expect(counts(region, 'stateful').resources - counts(small, 'stateful').resources).toBe(4 * 97);
  });

  it('creates no per-team outputs or exports', () => {
    expect(counts(region, 'stateful').outputs).toBe(counts(small, 'stateful').outputs);
    expect(counts(region, 'stateless').outputs).toBe(counts(small, 'stateless').outputs);
  });

  it('keeps the stateless stack the same size for 3 and for 100 teams', () => {
    expect(counts(region, 'stateless').resources).toBe(counts(small, 'stateless').resources);
  });

  it('refuses at synth, with the reason, a team count that would exceed the resource quota', () => {
    expect(() => synthesize(regionConfig(130))).toThrow(/more than the 500 a stack may hold/);
  });
});
