import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { allMunicipalities, type Municipality } from '../../domain/municipalities.js';
import { loadDeploymentConfig } from '../../infra/deployment-config.js';
import { createSchakelApp, type SchakelApp } from '../../infra/schakel-app.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';

export const REGION = 'eu-west-1';

export interface Synthesized extends SchakelApp {
  templates: { stateful: Template; stateless: Template };
  /** Size in bytes of each template file as the CLI would upload it. */
  templateBytes: { stateful: number; stateless: number };
}

/** Synthesizes without bundling into a temporary cloud assembly that is deleted right away. */
export function synthesize(config: DeploymentConfig = demoConfig()): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'schakel-infra-test-'));
  try {
    const app = new App({
      outdir,
      // Path and asset metadata as the CLI adds them, so template sizes are the ones deployed.
      context: {
        'aws:cdk:bundling-stacks': [],
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
      },
    });
    const built = createSchakelApp({ app, config, bundling: false, env: { region: REGION } });
    const assembly = app.synth();
    const bytes = (artifactId: string) =>
      statSync(assembly.getStackArtifact(artifactId).templateFullPath).size;
    return {
      ...built,
      templates: {
        stateful: Template.fromJSON(assembly.getStackArtifact(built.stateful.artifactId).template),
        stateless: Template.fromJSON(assembly.getStackArtifact(built.stateless.artifactId).template),
      },
      templateBytes: {
        stateful: bytes(built.stateful.artifactId),
        stateless: bytes(built.stateless.artifactId),
      },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function demoConfig(): DeploymentConfig {
  return loadDeploymentConfig('config/demo.json');
}

function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * A deployment for a whole youth-care region: every municipality of Holland-Rijnland with a JGT and
 * a CJG for safety concerns, then municipalities of other regions (a regional hub serving its
 * neighbours) with one JGT each, until `teamCount` teams exist.
 */
export function regionConfig(teamCount: number): DeploymentConfig {
  const all = allMunicipalities();
  const inRegion = all.filter((m) => m.youthCareRegion === 'Holland-Rijnland');
  const others = all.filter((m) => m.youthCareRegion !== 'Holland-Rijnland');
  const teams: DeploymentConfig['teams'] = [];
  const routingRules: DeploymentConfig['routingRules'] = [];
  const addJgt = (m: Municipality) => {
    const id = `jgt-${slug(m.name)}`;
    teams.push({
      id,
      name: `Jeugd- en gezinsteam ${m.name}`,
      kind: 'jgt',
      organisation: `JGT ${m.youthCareRegion}`,
    });
    routingRules.push({ id: `${m.code}-default`, municipality: m.code, teamId: id });
  };
  for (const m of inRegion) {
    if (teams.length >= teamCount) break;
    addJgt(m);
    if (teams.length >= teamCount) break;
    const id = `cjg-${slug(m.name)}-veiligheid`;
    teams.push({ id, name: `CJG ${m.name} — veiligheid`, kind: 'cjg', organisation: 'CJG Holland Rijnland' });
    routingRules.push({ id: `${m.code}-safety`, municipality: m.code, teamId: id, concerns: ['safety'] });
    routingRules.push({
      id: `${m.code}-young-children`,
      municipality: m.code,
      teamId: id,
      ageRange: { max: 4 },
      requestType: 'referral',
    });
  }
  for (const m of others) {
    if (teams.length >= teamCount) break;
    addJgt(m);
  }
  if (teams.length < teamCount) throw new Error(`only ${teams.length} municipalities for ${teamCount} teams`);
  return { deployment: 'holland-rijnland', teams, routingRules };
}

type Json = Record<string, unknown>;

export function resourcesOfType(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)) as [string, Json][];
}

export function propertiesOf(resource: Json): Json {
  return (resource.Properties ?? {}) as Json;
}

export function tagsOf(resource: Json): Record<string, string> {
  const tags = (propertiesOf(resource).Tags ?? []) as { Key: string; Value: string }[];
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/** Logical ids of the resources of `type` carrying tag schakel:resource = kind. */
export function taggedLogicalIds(template: Template, type: string, kind: string): string[] {
  return resourcesOfType(template, type)
    .filter(([, r]) => tagsOf(r)['schakel:resource'] === kind)
    .map(([id]) => id);
}

/** Every IAM policy statement of a template: AWS::IAM::Policy, managed policies and inline role policies. */
export function iamStatements(template: Template): { source: string; statement: Json }[] {
  const statements: { source: string; statement: Json }[] = [];
  const collect = (source: string, document: unknown) => {
    const list = ((document as Json | undefined)?.Statement ?? []) as Json[];
    for (const statement of list) statements.push({ source, statement });
  };
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, r] of resourcesOfType(template, type)) collect(id, propertiesOf(r).PolicyDocument);
  }
  for (const [id, r] of resourcesOfType(template, 'AWS::IAM::Role')) {
    for (const policy of (propertiesOf(r).Policies ?? []) as Json[]) collect(id, policy.PolicyDocument);
  }
  return statements;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
