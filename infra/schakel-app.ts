import { App, type Environment, Tags } from 'aws-cdk-lib';
import type { DeploymentConfig } from '../schemas/deployment-config.js';
import { DEPLOYMENT_TAG } from './resource-tags.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';

export interface SchakelAppOptions {
  /** An app to add the stacks to; by default a new one. */
  app?: App;
  config: DeploymentConfig;
  env?: Environment;
  /**
   * false skips esbuild (templates only, no bundles), for tests and for local mode, which reads the
   * templates to create the same tables and queues in emulators. A passed `app` must then not have children yet, or be
   * created with context `{ 'aws:cdk:bundling-stacks': [] }` itself.
   */
  bundling?: boolean;
}

export interface SchakelApp {
  app: App;
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/** The CDK context key that lists the stacks whose assets are bundled; [] bundles none. */
export const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

/** Builds both stacks of one deployment. Side-effect free until someone synthesizes the app. */
export function createSchakelApp(options: SchakelAppOptions): SchakelApp {
  const bundling = options.bundling ?? true;
  const app = options.app ?? new App(bundling ? {} : { context: { [BUNDLING_STACKS_CONTEXT]: [] } });
  if (!bundling && options.app) {
    const current: unknown = app.node.tryGetContext(BUNDLING_STACKS_CONTEXT);
    if (!(Array.isArray(current) && current.length === 0)) {
      if (app.node.children.length > 0) {
        throw new Error(
          `bundling: false needs context '${BUNDLING_STACKS_CONTEXT}': [] on the app before any stack is added`,
        );
      }
      app.node.setContext(BUNDLING_STACKS_CONTEXT, []);
    }
  }

  const { config, env } = options;
  const prefix = `schakel-${config.deployment}`;
  const stateful = new StatefulStack(app, `${prefix}-stateful`, {
    config,
    env,
    description: `Schakel ${config.deployment}: tables, queues and keys (data; retained on delete)`,
  });
  const stateless = new StatelessStack(app, `${prefix}-stateless`, {
    config,
    env,
    description: `Schakel ${config.deployment}: functions and API (replaceable)`,
    stateful: stateful.references,
  });
  // The imports are plain Fn::ImportValue, which CDK does not see as a reference.
  stateless.addStackDependency(stateful);
  for (const stack of [stateful, stateless]) Tags.of(stack).add(DEPLOYMENT_TAG, config.deployment);
  return { app, stateful, stateless };
}
