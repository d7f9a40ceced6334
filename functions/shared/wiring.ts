import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { type DeploymentConfig, DeploymentConfigSchema } from '../../schemas/deployment-config.js';
import { ConfigurationError } from './errors.js';

// Building blocks for each function's productionDependencies(), which the Lambda entry point
// calls once per cold start and local mode once per hub: nothing here is a module-level singleton.

export const clock = () => new Date();
export const newId = () => randomUUID();
/** UUID version 7: ordered by creation time, so a partition of them reads newest first. */
export const newTimeOrderedId = () => uuidv7();

export function deploymentConfig(json: string): DeploymentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigurationError('SCHAKEL_DEPLOYMENT_CONFIG is not JSON');
  }
  const parsed = DeploymentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(
      `SCHAKEL_DEPLOYMENT_CONFIG is invalid — ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** Team ids to display names: what a school sees instead of an id. */
export function teamNamesOf(config: DeploymentConfig): ReadonlyMap<string, string> {
  return new Map(config.teams.map((t) => [t.id, t.name]));
}
