import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { buildOpenApiDocument } from '../functions/openapi.js';
import { FUNCTION_DECLARATIONS } from '../functions/registry.js';
import { packBuildTimeValue } from '../functions/shared/build-time-values.js';
import { BUILD_TIME_KEYS } from '../functions/shared/env.js';
import { BUNDLING, NODE_OPTIONS, SOURCE_MAPS_OPTION } from '../infra/bundling.js';
import { loadDeploymentConfig } from '../infra/deployment-config.js';
import { percentile, table } from './measure.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Under the repo so that bundles built with the SDK external resolve it from its node_modules.
const OUT_DIR = join(REPO_ROOT, '.bench');
// The AWS SDK and its own plumbing; not the AWS Encryption SDK (@aws-crypto/*), which the Lambda
// runtime does not ship: it counts as the function's own code.
const SDK_PACKAGES = ['@aws-sdk/*', '@smithy/*'];
const EMPTY = '(empty handler)';
/**
 * A reference, not a function: a handler that only builds the DynamoDB document client every
 * function but serve-openapi builds at cold start. Its ratio is the floor those functions can reach.
 */
const SDK_FLOOR = '(DynamoDB client only)';
const isReference = (name: string) => name === EMPTY || name === SDK_FLOOR;
const TARGET_KB = 150;
const TARGET_INIT_RATIO = 3;

// What lambda.ts needs at import; a fixed, minimal environment so nothing of the caller's shell
// (AWS profiles, tsx's NODE_OPTIONS) leaks into the measurement.
const CHILD_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  STATE_TABLE_NAME: 'bench-state',
  AUDIT_TABLE_NAME: 'bench-audit',
  INTAKE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench-intake',
  AUDIT_EXPORT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/bench-audit-exports',
  EXPORT_BUCKET_NAME: 'bench-exports',
  DEPLOYMENT_NAME: 'bench',
  PSEUDONYM_KEY: 'k'.repeat(40),
  // The KMS keyring as deployed (it is built at import; it calls KMS only on the first seal or open).
  PUPIL_DATA_KEY_ARN: 'arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-4000-8000-000000000000',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** One way of starting the bundles; each has its own empty-handler baseline. */
interface Variant {
  label: string;
  sdkBundled: boolean;
  nodeOptions: string;
}
const DEPLOYED: Variant = { label: 'as deployed', sdkBundled: true, nodeOptions: NODE_OPTIONS };
const VARIANTS: readonly Variant[] = [
  DEPLOYED,
  { label: 'with source maps', sdkBundled: true, nodeOptions: SOURCE_MAPS_OPTION },
  { label: 'SDK from node_modules', sdkBundled: false, nodeOptions: NODE_OPTIONS },
];

export interface BenchOptions {
  runs: number;
  warmups: number;
}

interface Bundle {
  name: string;
  kbWithSdk: number;
  kbWithoutSdk: number;
  /** Package → KB in the bundle without the SDK, largest first. */
  contributors: [string, number][];
  files: { sdkBundled: string; sdkExternal: string };
}

const kb = (bytes: number) => bytes / 1024;
const progress = (message: string) => process.stderr.write(`${message}\n`);

function buildTimeDefines(environment: readonly string[]): Record<string, string> {
  const values: Record<(typeof BUILD_TIME_KEYS)[number], () => string> = {
    SCHAKEL_DEPLOYMENT_CONFIG: () =>
      JSON.stringify(loadDeploymentConfig(join(REPO_ROOT, 'config/demo.json'))),
    SCHAKEL_OPENAPI_DOCUMENT: () => JSON.stringify(buildOpenApiDocument()),
  };
  const define: Record<string, string> = {};
  for (const key of BUILD_TIME_KEYS) {
    if (environment.includes(key))
      define[`process.env.${key}`] = JSON.stringify(packBuildTimeValue(values[key]()));
  }
  return define;
}

// The esbuild options NodejsFunction derives from BUNDLING (aws-lambda-nodejs' bundling.ts).
async function bundle(
  entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>,
  outfile: string,
  deployed: boolean,
  define: Record<string, string>,
): Promise<{ file: string; output: Metafile['outputs'][string] }> {
  const result = await build({
    ...entry,
    outfile,
    absWorkingDir: REPO_ROOT,
    platform: 'node',
    bundle: true,
    format: BUNDLING.format,
    target: BUNDLING.target,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    external: !deployed ? SDK_PACKAGES : BUNDLING.bundleAwsSDK ? [] : ['@aws-sdk/*'],
    define,
    metafile: true,
    logLevel: 'warning',
  });
  const output = result.metafile.outputs[outfile.slice(REPO_ROOT.length + 1)];
  if (!output) throw new Error(`esbuild reported no output ${outfile}`);
  return { file: outfile, output };
}

function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return 'project';
  const [scope, name] = path.slice(at + 'node_modules/'.length).split('/');
  return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? path);
}

function contributors(output: Metafile['outputs'][string]): [string, number][] {
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(path);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage]
    .map(([name, bytes]): [string, number] => [name, kb(bytes)])
    .sort((a, b) => b[1] - a[1]);
}

async function buildAll(): Promise<Bundle[]> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  const entries: {
    name: string;
    entry: Pick<BuildOptions, 'entryPoints' | 'stdin'>;
    define: Record<string, string>;
  }[] = [
    {
      name: EMPTY,
      entry: {
        stdin: { contents: 'export const handler = async () => ({})', loader: 'js', resolveDir: REPO_ROOT },
      },
      define: {},
    },
    {
      name: SDK_FLOOR,
      entry: {
        stdin: {
          contents: [
            "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
            "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
            'const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
            'export const handler = async () => documents;',
          ].join('\n'),
          loader: 'js',
          resolveDir: REPO_ROOT,
        },
      },
      define: {},
    },
    ...FUNCTION_DECLARATIONS.map((f) => ({
      name: f.name as string,
      entry: { entryPoints: [join(REPO_ROOT, 'functions', f.name, 'lambda.ts')] },
      define: buildTimeDefines(f.environment),
    })),
  ];
  return Promise.all(
    entries.map(async ({ name, entry, define }) => {
      const dir = name === EMPTY ? 'empty' : name === SDK_FLOOR ? 'sdk-floor' : name;
      const withSdk = await bundle(entry, join(OUT_DIR, 'sdk-bundled', dir, 'index.mjs'), true, define);
      const withoutSdk = await bundle(entry, join(OUT_DIR, 'sdk-external', dir, 'index.mjs'), false, define);
      progress(`built ${name}`);
      return {
        name,
        kbWithSdk: kb(withSdk.output.bytes),
        kbWithoutSdk: kb(withoutSdk.output.bytes),
        contributors: contributors(withoutSdk.output),
        files: { sdkBundled: withSdk.file, sdkExternal: withoutSdk.file },
      };
    }),
  );
}

function childArgs(file: string, variant: Variant) {
  return {
    args: ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`],
    options: { cwd: dirname(file), env: { ...CHILD_ENV, NODE_OPTIONS: variant.nodeOptions } },
  };
}

/** Wall-clock time from spawn to exit of a fresh node that imports the bundle: a cold init. */
function timeInit(file: string, variant: Variant): Promise<number> {
  const { args, options } = childArgs(file, variant);
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, args, { ...options, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve(ms);
      else reject(new Error(`${file} exited with ${code}`));
    });
  });
}

// A failing import would otherwise just be timed as a fast exit.
function checkStarts(file: string, variant: Variant) {
  const { args, options } = childArgs(file, variant);
  const result = spawnSync(process.execPath, args, { ...options, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${file} (${variant.label}) fails to start:\n${result.stderr}`);
}

interface Stats {
  median: number;
  p90: number;
}
function stats(samples: number[]): Stats {
  return { median: percentile(samples, 50), p90: percentile(samples, 90) };
}

async function measureInit(bundles: Bundle[], options: BenchOptions): Promise<Map<string, Stats>> {
  const jobs = VARIANTS.flatMap((variant) =>
    bundles.map((b) => ({
      key: `${variant.label}/${b.name}`,
      file: variant.sdkBundled ? b.files.sdkBundled : b.files.sdkExternal,
      variant,
      samples: [] as number[],
    })),
  );
  for (const job of jobs) checkStarts(job.file, job.variant);
  const rounds = options.warmups + options.runs;
  for (let round = 0; round < rounds; round++) {
    progress(`init round ${round + 1}/${rounds}${round < options.warmups ? ' (warm-up)' : ''}`);
    // Round-robin: drift of a noisy machine hits every bundle and variant alike.
    for (const job of jobs) {
      const ms = await timeInit(job.file, job.variant);
      if (round >= options.warmups) job.samples.push(ms);
    }
  }
  return new Map(jobs.map((j) => [j.key, stats(j.samples)]));
}

export async function runBundleBench(options: BenchOptions): Promise<string> {
  const bundles = await buildAll();
  const init = await measureInit(bundles, options);
  const at = (variant: Variant, name: string): Stats => {
    const found = init.get(`${variant.label}/${name}`);
    if (!found) throw new Error(`no measurement for ${variant.label}/${name}`);
    return found;
  };
  const ratio = (variant: Variant, name: string) => at(variant, name).median / at(variant, EMPTY).median;
  const withMaps = VARIANTS[1] as Variant;
  const misses: string[] = [];

  const main = table(
    [
      'function',
      'KB with SDK',
      'KB without SDK',
      `≤${TARGET_KB} KB`,
      'init ms',
      'p90 ms',
      '×empty',
      `≤${TARGET_INIT_RATIO}×`,
      '×DynamoDB client',
    ],
    bundles.map((b) => {
      const overSize = !isReference(b.name) && b.kbWithoutSdk > TARGET_KB;
      const overInit = !isReference(b.name) && ratio(DEPLOYED, b.name) > TARGET_INIT_RATIO;
      if (overSize)
        misses.push(`${b.name}: ${b.kbWithoutSdk.toFixed(1)} KB without the SDK > ${TARGET_KB} KB`);
      if (overInit)
        misses.push(
          `${b.name}: init ${ratio(DEPLOYED, b.name).toFixed(2)}× the empty handler's > ${TARGET_INIT_RATIO}×`,
        );
      const { median, p90 } = at(DEPLOYED, b.name);
      return [
        b.name,
        b.kbWithSdk.toFixed(1),
        b.kbWithoutSdk.toFixed(1),
        isReference(b.name) ? '' : overSize ? 'OVER' : 'PASS',
        median.toFixed(1),
        p90.toFixed(1),
        ratio(DEPLOYED, b.name).toFixed(2),
        isReference(b.name) ? '' : overInit ? 'OVER' : 'PASS',
        (median / at(DEPLOYED, SDK_FLOOR).median).toFixed(2),
      ];
    }),
  );
  const variants = table(
    ['function', ...VARIANTS.map((v) => `${v.label}: ms (×empty)`), 'source-map cost'],
    bundles.map((b) => [
      b.name,
      ...VARIANTS.map((v) => `${at(v, b.name).median.toFixed(1)} (${ratio(v, b.name).toFixed(2)}×)`),
      `${(at(withMaps, b.name).median / at(DEPLOYED, b.name).median).toFixed(2)}×`,
    ]),
  );
  const top = bundles
    .filter((b) => !isReference(b.name))
    .map((b) => {
      const five = b.contributors.slice(0, 5).map(([name, size]) => `${name} ${size.toFixed(1)}`);
      return `  ${b.name}: ${five.join(', ')}`;
    });

  return [
    `Lambda bundles — node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? '?'}), ` +
      `${options.runs} runs + ${options.warmups} warm-ups per bundle and variant; KB = 1024 bytes; medians`,
    '',
    main,
    '',
    `Init by variant (each against its own empty handler); source-map cost = ${SOURCE_MAPS_OPTION} vs as deployed:`,
    variants,
    '',
    'Largest packages without the SDK (KB):',
    ...top,
    '',
    misses.length === 0 ? 'All targets met.' : `Missed targets:\n${misses.map((m) => `  ${m}`).join('\n')}`,
  ].join('\n');
}
