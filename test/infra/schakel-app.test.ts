import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLING_STACKS_CONTEXT, createSchakelApp } from '../../infra/schakel-app.js';
import { demoConfig } from './support.js';

const outdir = mkdtempSync(join(tmpdir(), 'schakel-app-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('createSchakelApp', () => {
  it('turns bundling off on a new app when bundling is false', () => {
    const { app } = createSchakelApp({ config: demoConfig(), bundling: false });
    expect(app.node.tryGetContext(BUNDLING_STACKS_CONTEXT)).toEqual([]);
  });

  it('turns bundling off on a passed app that has no stacks yet', () => {
    const { app } = createSchakelApp({ app: new App({ outdir }), config: demoConfig(), bundling: false });
    expect(app.node.tryGetContext(BUNDLING_STACKS_CONTEXT)).toEqual([]);
  });

  it('refuses bundling false for a passed app that already has stacks and bundles them', () => {
    const app = new App({ outdir });
    new Stack(app, 'Other');
    expect(() => createSchakelApp({ app, config: demoConfig(), bundling: false })).toThrow(
      /needs context 'aws:cdk:bundling-stacks': \[\]/,
    );
  });

  it('names the stacks after the deployment and deploys the stateful stack first', () => {
    const { stateful, stateless } = createSchakelApp({ config: demoConfig(), bundling: false });
    expect(stateful.stackName).toBe('schakel-demo-stateful');
    expect(stateless.stackName).toBe('schakel-demo-stateless');
    expect(stateless.dependencies).toContain(stateful);
    expect(stateful.terminationProtection).toBe(true);
  });
});
