import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../infra/deployment-config.js';
import { DeploymentConfigSchema } from '../../schemas/deployment-config.js';
import { demoConfig } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'schakel-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('loadDeploymentConfig', () => {
  it('loads config/demo.json', () => {
    expect(demoConfig().deployment).toBe('demo');
  });

  it('rejects a rule for an unknown team and names the field', () => {
    const config = demoConfig();
    const broken = {
      ...config,
      routingRules: [
        ...config.routingRules,
        { id: 'leiden-default', municipality: '0546', teamId: 'jgt-leiden' },
      ],
    };
    const index = broken.routingRules.length - 1;
    expect(() => loadDeploymentConfig(write('unknown-team.json', broken))).toThrow(
      `routingRules.${index}.teamId: unknown team jgt-leiden`,
    );
    const result = DeploymentConfigSchema.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([`routingRules.${index}.teamId`]);
  });

  it('rejects a deployment name that would not fit in queue names', () => {
    expect(() =>
      loadDeploymentConfig(write('bad-name.json', { ...demoConfig(), deployment: 'Holland_Rijnland' })),
    ).toThrow(/deployment: must be 1–20 lowercase letters/);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadDeploymentConfig(join(dir, 'missing.json'))).toThrow(
      /cannot read deployment config .*missing\.json/,
    );
  });
});
