import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { createSchakelApp } from '../../infra/schakel-app.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import type { Topology } from './model.js';
import { type CfnTemplate, topologyFromTemplates } from './templates.js';

// aws-cdk-lib takes a second or two to load: start.ts imports this module dynamically, while
// DynamoDB Local's JVM boots.

/**
 * The topology per deployment config, synthesised once per process: a synth costs 2–3 s of
 * blocked event loop, and a process that starts a hub again (a restart in a test, several hubs)
 * gets the same answer from the same config. Each caller gets a copy of its own.
 */
const synthesized = new Map<string, Topology>();

/** Synthesises the CDK app in-process (no bundling, no CLI) and reads its templates. */
export function synthesizeTopology(config: DeploymentConfig): Topology {
  const key = JSON.stringify(config);
  let topology = synthesized.get(key);
  if (!topology) {
    topology = synthesize(config);
    synthesized.set(key, topology);
  }
  return structuredClone(topology);
}

function synthesize(config: DeploymentConfig): Topology {
  const outdir = mkdtempSync(join(tmpdir(), 'schakel-local-synth-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const { stateful, stateless } = createSchakelApp({ app, config, bundling: false });
    const assembly = app.synth();
    const template = (artifactId: string): CfnTemplate => assembly.getStackArtifact(artifactId).template;
    return topologyFromTemplates(
      template(stateful.artifactId),
      template(stateless.artifactId),
      config.deployment,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
