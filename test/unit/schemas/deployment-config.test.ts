import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DeploymentConfig, DeploymentConfigSchema } from '../../../schemas/deployment-config.js';

const demoJson: unknown = JSON.parse(
  readFileSync(new URL('../../../config/demo.json', import.meta.url), 'utf8'),
);

function demo(): DeploymentConfig {
  return structuredClone(demoJson) as DeploymentConfig;
}

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = DeploymentConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('DeploymentConfigSchema', () => {
  it('parses config/demo.json', () => {
    const result = DeploymentConfigSchema.safeParse(demoJson);

    expect(result.error?.issues).toBeUndefined();
    expect(result.data?.teams.map((t) => t.id)).toEqual([
      'jgt-amsterdam-centrum',
      'cjg-amsterdam-veiligheid',
      'jgt-hillegom',
      'jgt-lisse',
    ]);
    expect(result.data?.routingRules).toHaveLength(3);
  });

  it('fails at teams.4.id when a team id repeats', () => {
    const config = demo();
    config.teams.push({ ...(config.teams[0] as DeploymentConfig['teams'][number]), name: 'Duplicate' });

    expect(issuesOf(config)).toEqual([{ path: 'teams.4.id', message: 'duplicate team id' }]);
  });

  it('fails at routingRules.N.teamId when a rule names an unknown team', () => {
    const config = demo();
    config.routingRules.push({
      id: 'amsterdam-learning',
      municipality: '0363',
      teamId: 'no-such-team',
      concerns: ['learning'],
    });

    expect(issuesOf(config)).toEqual([
      { path: 'routingRules.3.teamId', message: 'unknown team no-such-team' },
    ]);
  });

  it('fails at routingRules.N when a municipality gets a second default rule', () => {
    const config = demo();
    config.routingRules.push({
      id: 'amsterdam-default-2',
      municipality: '0363',
      teamId: 'cjg-amsterdam-veiligheid',
    });

    expect(issuesOf(config)).toEqual([
      { path: 'routingRules.3', message: 'second default rule for municipality 0363' },
    ]);
  });

  it('accepts one default rule in each of two municipalities', () => {
    const config = demo();
    config.routingRules.push({ id: 'lisse-default', municipality: '0553', teamId: 'jgt-hillegom' });

    expect(issuesOf(config)).toEqual([]);
  });

  it('fails at routingRules.N.id when a rule id repeats', () => {
    const config = demo();
    config.routingRules.push({
      id: 'amsterdam-safety',
      municipality: '0363',
      teamId: 'jgt-amsterdam-centrum',
      requestType: 'consultation',
    });

    expect(issuesOf(config)).toEqual([{ path: 'routingRules.3.id', message: 'duplicate rule id' }]);
  });

  it('fails at routingRules.N.ageRange when min exceeds max', () => {
    const config = demo();
    config.routingRules.push({
      id: 'amsterdam-teens',
      municipality: '0363',
      teamId: 'jgt-amsterdam-centrum',
      ageRange: { min: 16, max: 12 },
    });

    expect(issuesOf(config)).toEqual([
      { path: 'routingRules.3.ageRange', message: 'min must not exceed max' },
    ]);
  });

  it.each([[{ min: 12, max: 12 }], [{ min: 12 }], [{ max: 11 }]])('accepts the age range %j', (ageRange) => {
    const config = demo();
    config.routingRules.push({
      id: 'amsterdam-age',
      municipality: '0363',
      teamId: 'jgt-amsterdam-centrum',
      ageRange,
    });

    expect(issuesOf(config)).toEqual([]);
  });

  it.each([
    [
      'routingRules.0.municipality',
      (c: DeploymentConfig) => Object.assign(c.routingRules[0] as object, { municipality: '9999' }),
    ],
    [
      'routingRules.1.concerns.0',
      (c: DeploymentConfig) => Object.assign(c.routingRules[1] as object, { concerns: ['bullying'] }),
    ],
    [
      'routingRules.1.concerns',
      (c: DeploymentConfig) => Object.assign(c.routingRules[1] as object, { concerns: [] }),
    ],
    [
      'routingRules.1.schoolLocations.0',
      (c: DeploymentConfig) => Object.assign(c.routingRules[1] as object, { schoolLocations: ['12AB'] }),
    ],
    [
      'routingRules.1.ageRange.min',
      (c: DeploymentConfig) => Object.assign(c.routingRules[1] as object, { ageRange: { min: -1 } }),
    ],
    [
      'routingRules.0.id',
      (c: DeploymentConfig) => Object.assign(c.routingRules[0] as object, { id: 'Amsterdam Default' }),
    ],
    ['teams.0.kind', (c: DeploymentConfig) => Object.assign(c.teams[0] as object, { kind: 'ggd' })],
    ['teams.0.id', (c: DeploymentConfig) => Object.assign(c.teams[0] as object, { id: 'JGT_Amsterdam' })],
    ['deployment', (c: DeploymentConfig) => Object.assign(c, { deployment: 'Demo' })],
    ['teams', (c: DeploymentConfig) => Object.assign(c, { teams: [] })],
    [
      'teams.0.municipalities.0',
      (c: DeploymentConfig) => Object.assign(c.teams[0] as object, { municipalities: ['9999'] }),
    ],
    [
      'teams.0.municipalities',
      (c: DeploymentConfig) => Object.assign(c.teams[0] as object, { municipalities: [] }),
    ],
    ['leadTimes.regularDays', (c: DeploymentConfig) => Object.assign(c, { leadTimes: { regularDays: 0 } })],
    ['leadTimes.urgentDays', (c: DeploymentConfig) => Object.assign(c, { leadTimes: { urgentDays: 91 } })],
    [
      'leadTimes.municipalities.0363.regularDays',
      (c: DeploymentConfig) =>
        Object.assign(c, { leadTimes: { municipalities: { '0363': { regularDays: 1.5 } } } }),
    ],
  ])('fails at %s', (path, mutate) => {
    const config = demo();
    mutate(config);

    expect(issuesOf(config).map((i) => i.path)).toContain(path);
  });

  it('takes lead-time goals for the deployment and per municipality', () => {
    const config = {
      ...demo(),
      leadTimes: { regularDays: 10, municipalities: { '0363': { urgentDays: 2 } } },
    };

    expect(issuesOf(config)).toEqual([]);
  });

  it('fails with unrecognized_keys for an unknown key in a rule', () => {
    const config = demo();
    Object.assign(config.routingRules[0] as object, { priority: 1 });

    const result = DeploymentConfigSchema.safeParse(config);

    expect(result.error?.issues).toMatchObject([
      { code: 'unrecognized_keys', keys: ['priority'], path: ['routingRules', 0] },
    ]);
  });
});
