import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DeploymentConfig, DeploymentConfigSchema } from '../schemas/deployment-config.js';

export const DEFAULT_CONFIG_PATH = 'config/demo.json';

/** Reads and validates a deployment config; the error names every bad field. */
export function loadDeploymentConfig(path: string = DEFAULT_CONFIG_PATH): DeploymentConfig {
  const absolute = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read deployment config ${absolute}: ${(error as Error).message}`);
  }
  const result = DeploymentConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid deployment config ${absolute}:\n${problems.join('\n')}`);
  }
  return result.data;
}
