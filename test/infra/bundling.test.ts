import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/openapi.js';
import { FUNCTIONS, type FunctionName } from '../../functions/registry.js';
import { createSchakelApp } from '../../infra/schakel-app.js';
import { demoConfig, REGION } from './support.js';

// The one test that runs esbuild (a few seconds): the deployment config only exists in the bundle.

const outdir = mkdtempSync(join(tmpdir(), 'schakel-bundling-test-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const config = demoConfig();
const app = new App({ outdir });
const { stateless } = createSchakelApp({ app, config, env: { region: REGION } });
const assembly = app.synth();
const resources = assembly.getStackArtifact(stateless.artifactId).template.Resources as Record<
  string,
  { Properties: { Code?: { S3Key?: string } } }
>;

function bundleOf(name: FunctionName): string {
  const logicalId = stateless.getLogicalId(stateless.functions[name].function.node.defaultChild as never);
  const key = resources[logicalId]?.Properties.Code?.S3Key ?? '';
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
}

describe('bundling', () => {
  it('builds every function as an ES module with a source map', () => {
    for (const name of Object.keys(stateless.functions) as FunctionName[]) {
      expect(existsSync(bundleOf(name)), name).toBe(true);
      expect(existsSync(`${bundleOf(name)}.map`), name).toBe(true);
    }
  });

  it('compiles the deployment config into route-signal instead of reading the environment', () => {
    const bundle = readFileSync(bundleOf('route-signal'), 'utf8');
    for (const team of config.teams) expect(bundle).toContain(team.id);
    expect(bundle).not.toContain('process.env.SCHAKEL_DEPLOYMENT_CONFIG');
  });

  it('leaves the deployment config out of functions that do not declare it', () => {
    const bundle = readFileSync(bundleOf('list-audit-events'), 'utf8');
    expect(FUNCTIONS['list-audit-events'].environment).not.toContain('SCHAKEL_DEPLOYMENT_CONFIG');
    expect(bundle).not.toContain('cjg-amsterdam-veiligheid');
  });

  it('compiles the OpenAPI document into serve-openapi packed, and the bundle serves it whole', async () => {
    const bundle = readFileSync(bundleOf('serve-openapi'), 'utf8');
    const { handler } = (await import(bundleOf('serve-openapi'))) as {
      handler: (event: unknown) => Promise<{ statusCode: number; body: string }>;
    };

    const answer = await handler({ httpMethod: 'GET', path: '/v1/openapi.json', headers: {} });

    expect(bundle).toContain('gzip-base64:');
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(buildOpenApiDocument());
  });
});
