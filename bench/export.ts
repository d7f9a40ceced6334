import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { verifyFile } from '../cli/verify-file.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { EXPORT_AUDIT } from '../functions/export-audit/declaration.js';
import { CHAIN_PAGE_ITEMS } from '../functions/shared/adapters/dynamodb-audit-exports.js';
import { createDocumentClient } from '../functions/shared/adapters/dynamodb-client.js';
import { createS3Client } from '../functions/shared/adapters/s3-client.js';
import { startEmulators } from '../local/emulators/emulators.js';
import { AuditExportManifestSchema } from '../schemas/audit-export.js';
import {
  eventsPerSecond,
  exportFigures,
  megabytes,
  TARGET_GROWTH_BYTES,
  TARGET_RATIO,
} from './export-analysis.js';
import { type ChainShape, draftOf } from './export-events.js';
import { createAuditTable, seedChain } from './export-seed.js';
import type { WorkerResult, WorkerTask } from './export-worker.js';
import { seconds, table, thousands } from './measure.js';
import { cpuSecondsOf, javaServingPort } from './processes.js';

// `npm run bench`'s export: a year of one municipality's audit chain (N events, a million by
// default) seeded into DynamoDB Local, then exported to fauxqs's S3 by the real use case and
// adapters, in a process of its own whose memory is watched. The baseline, measured in the same
// run on the same table: a bare paginated Query over the same key range, before and after the
// export (their mean counts, against drift). The file is then downloaded and verified as
// `schakel audit verify` does, against its manifest.

export interface ExportBenchOptions {
  /** Events in the chain, all exported (the issue's figure: 1,000,000). */
  events: number;
}

const MUNICIPALITY = '0363';
const YEAR = { from: '2025-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' };
/** Lambda's longest run, less a minute: what each invocation is told it has. */
const INVOCATION_MS = 14 * 60_000;
/** Read once before measuring, not counted: the JVM's JIT, first connections. */
const WARM_UP_EVENTS = 100_000;
const SAMPLE_EVERY_MS = 100;

const progress = (line: string) => process.stderr.write(`${line}\n`);

interface Step {
  label: string;
  result: WorkerResult;
  /** CPU seconds of DynamoDB Local's JVM and of this process (fauxqs's S3) during the step. */
  jvmCpu: number | undefined;
  benchCpu: number;
  wallMs: number;
}

/**
 * The heap every worker runs with: what Node gives itself in the function's memory. Node sizes its
 * heap from the memory it is given (half of it up to 2 GB, from the cgroup or, in Lambda, the
 * microVM's memory): 512 MB for export-audit's 1,024 MB. On this 24 GB machine it would take 4 GB
 * and collect lazily, which measures the machine, not the export. BENCH_EXPORT_HEAP_MB=0 leaves
 * Node's default.
 */
const HEAP_MB = Number(process.env.BENCH_EXPORT_HEAP_MB ?? EXPORT_AUDIT.memoryMb / 2);

/** Runs one worker step in a process of its own; BENCH_EXPORT_CPU_PROF=<dir> profiles it. */
async function runWorker(label: string, task: WorkerTask, jvmPid: number | undefined): Promise<Step> {
  const profileDir = process.env.BENCH_EXPORT_CPU_PROF;
  const execArgv = [
    '--import',
    import.meta.resolve('tsx'),
    ...(HEAP_MB > 0 ? [`--max-old-space-size=${HEAP_MB}`] : []),
    ...(profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${label}.cpuprofile`]
      : []),
  ];
  const jvmBefore = jvmPid === undefined ? undefined : cpuSecondsOf(jvmPid);
  const benchBefore = process.cpuUsage();
  const started = performance.now();
  const child = fork(fileURLToPath(new URL('./export-worker.ts', import.meta.url)), [JSON.stringify(task)], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let result: WorkerResult | undefined;
  child.on('message', (message) => {
    result = message as WorkerResult;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0 || !result) throw new Error(`the ${label} worker exited ${code} without a result`);
  const jvmAfter = jvmPid === undefined ? undefined : cpuSecondsOf(jvmPid);
  const bench = process.cpuUsage(benchBefore);
  return {
    label,
    result,
    jvmCpu: jvmBefore === undefined || jvmAfter === undefined ? undefined : jvmAfter - jvmBefore,
    benchCpu: (bench.user + bench.system) / 1e6,
    wallMs: performance.now() - started,
  };
}

interface Verified {
  valid: boolean;
  events: number;
  bytes: number;
  /** The digest streamed while downloading equals the manifest's. */
  sha256Matches: boolean;
  problems: string[];
  ms: number;
}

/** Downloads the file (streamed, hashed on the way) and verifies it against its manifest. */
async function verifyExported(
  s3: S3Client,
  bucket: string,
  fileKey: string,
  manifestKey: string,
  dir: string,
): Promise<Verified> {
  const started = performance.now();
  const get = async (key: string) => {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!Body) throw new Error(`S3 answered no body for ${key}`);
    return Body as Readable & { transformToString(): Promise<string> };
  };
  const manifest = AuditExportManifestSchema.parse(
    JSON.parse(await (await get(manifestKey)).transformToString()),
  );
  const path = join(dir, manifest.file.name);
  const digest = createHash('sha256');
  await pipeline(
    await get(fileKey),
    async function* hashed(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        digest.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(path),
  );
  const streamed = digest.digest('hex');
  const verification = await verifyFile(path, {
    manifest,
    onProgress: (events) => progress(`  verified ${thousands(events)} events`),
  });
  return {
    valid: verification.valid && streamed === verification.sha256,
    events: verification.chain.count,
    bytes: verification.bytes,
    sha256Matches: streamed === manifest.file.sha256,
    problems: verification.problems.map((p) => JSON.stringify(p)),
    ms: performance.now() - started,
  };
}

export async function runExportBench(options: ExportBenchOptions): Promise<string> {
  const { events } = options;
  const dir = mkdtempSync(join(tmpdir(), 'schakel-bench-export-'));
  progress('export: starting DynamoDB Local and fauxqs (S3)…');
  const emulators = await startEmulators();
  const documents = createDocumentClient({
    AWS_REGION: emulators.region,
    DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
  });
  const s3 = createS3Client({ AWS_REGION: emulators.region, S3_ENDPOINT: emulators.s3Endpoint });
  try {
    const run = randomBytes(4).toString('hex');
    const tableName = `bench-audit-${run}`;
    const bucket = `bench-exports-${run}`;
    await createAuditTable(documents, tableName);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const jvmPid = javaServingPort(Number(new URL(emulators.dynamodbEndpoint).port));

    const shape: ChainShape = { municipality: MUNICIPALITY, count: events, ...YEAR };
    progress(`export: seeding ${thousands(events)} chain entries with BatchWriteItem…`);
    const seeded = await seedChain(documents, tableName, shape);
    progress(`export: seeded in ${seconds(seeded.ms)} s`);
    // The reader's own page size, for the baseline too: the same requests, only counted.
    const pageItems = CHAIN_PAGE_ITEMS;

    const task = (mode: WorkerTask['mode'], count = events): WorkerTask => ({
      mode,
      region: emulators.region,
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      s3Endpoint: emulators.s3Endpoint,
      tableName,
      bucket,
      municipality: MUNICIPALITY,
      count,
      ...YEAR,
      invocationMs: INVOCATION_MS,
      sampleEveryMs: SAMPLE_EVERY_MS,
      pageItems,
    });
    const warmUp = Math.min(WARM_UP_EVENTS, events);
    progress(`export: warm-up, a bare Query over ${thousands(warmUp)} entries (not measured)`);
    await runWorker('warm-up', task('query', warmUp), jvmPid);
    const steps: Step[] = [];
    const step = async (label: string, mode: WorkerTask['mode']) => {
      progress(`export: ${label}…`);
      const done = await runWorker(label, task(mode), jvmPid);
      progress(
        `export: ${label}: ${thousands(done.result.events)} events in ${seconds(done.result.ms)} s ` +
          `(${eventsPerSecond(done.result).toFixed(0)}/s)`,
      );
      steps.push(done);
      return done;
    };
    const before = await step('baseline-before', 'query');
    const exported = await step('export', 'export');
    const after = await step('baseline-after', 'query');

    progress('export: downloading the file and verifying it against its manifest…');
    const { fileKey, manifestKey } = exported.result;
    if (!fileKey || !manifestKey) throw new Error('the export named no file');
    const verified = await verifyExported(s3, bucket, fileKey, manifestKey, dir);
    return exportLines({
      events,
      seededMs: seeded.ms,
      pageItems,
      meanEntryBytes: meanEntryBytes(shape, seeded.head.hash),
      steps,
      before,
      exported,
      after,
      verified,
    }).join('\n');
  } finally {
    documents.destroy();
    s3.destroy();
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The mean canonical JSON size of an entry, from a sample spread over the chain. */
function meanEntryBytes(shape: ChainShape, someHash: string): number {
  const picks = Array.from({ length: 1000 }, (_, i) => 1 + Math.floor((i * shape.count) / 1000));
  const total = picks.reduce(
    (sum, sequence) =>
      sum +
      Buffer.byteLength(canonicalJson({ ...draftOf(shape, sequence), prevHash: someHash, hash: someHash })),
    0,
  );
  return total / picks.length;
}

interface ExportReport {
  events: number;
  seededMs: number;
  pageItems: number;
  meanEntryBytes: number;
  steps: Step[];
  before: Step;
  exported: Step;
  after: Step;
  verified: Verified;
}

function exportLines(report: ExportReport): string[] {
  const { events, before, exported, after, verified } = report;
  const baselines = [before.result, after.result];
  const growth = exported.result.memory;
  const figures = exportFigures(baselines, exported.result, growth);
  const outcomes = exported.result.outcomes ?? [];
  const handOvers = exported.result.handOvers ?? 0;
  const mark = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  const cpu = (s: number | undefined) => (s === undefined ? 'n/a' : s.toFixed(1));
  const stepRow = (s: Step, ratio: string) => [
    s.label === 'export'
      ? 'export (exportAudit → S3 multipart)'
      : `bare Query, ${s.label.replace('baseline-', '')}`,
    thousands(s.result.events),
    seconds(s.result.ms),
    eventsPerSecond(s.result).toFixed(0),
    ratio,
    `${megabytes(s.result.memory.rssGrowth)} / ${megabytes(s.result.memory.heapGrowth)}`,
    `${cpu(s.result.cpuSeconds)} / ${cpu(s.jvmCpu)} / ${cpu(s.benchCpu)}`,
  ];
  const verifiedText = verified.valid
    ? `verified ${thousands(verified.events)} events, sha256 = manifest`
    : `NOT valid: ${verified.problems.slice(0, 3).join('; ') || 'digest differs'}`;
  return [
    `Audit export — ${thousands(events)} events of one municipality (a year of recordedAt, ` +
      `${report.meanEntryBytes.toFixed(0)} bytes each as canonical JSON) exported as NDJSON from DynamoDB Local ` +
      `to fauxqs's S3 by exportAudit with the real adapters, in a process of its own; one run`,
    table(
      ['step', 'events', 's', 'events/s', 'ratio', 'growth rss / heap', 'CPU s: process / JVM / fauxqs'],
      [stepRow(before, ''), stepRow(exported, figures.ratio.toFixed(2)), stepRow(after, '')],
    ),
    '',
    table(
      ['figure', 'measured', 'target', ''],
      [
        [
          'export rate / bare Query rate (mean of before and after)',
          `${figures.exportRate.toFixed(0)} / ${figures.baselineRate.toFixed(0)} = ${figures.ratio.toFixed(2)}`,
          `≥ ${TARGET_RATIO.toFixed(2)}`,
          mark(figures.ratioMet),
        ],
        [
          "export process's memory growth: peak rss − rss before",
          `${megabytes(growth.rssGrowth)} (${megabytes(growth.before.rss)} → ${megabytes(growth.peak.rss)}, ` +
            `${growth.samples} samples; kernel's high-water mark ${megabytes(exported.result.maxRss)})`,
          `≤ ${megabytes(TARGET_GROWTH_BYTES)}`,
          mark(figures.growthMet),
        ],
        [
          'file downloaded and verified against its manifest',
          `${verifiedText} (${megabytes(verified.bytes)})`,
          `${thousands(events)} valid`,
          mark(verified.valid && verified.sha256Matches && verified.events === events),
        ],
        [
          'invocations (14 min each at most) / hand-overs',
          `${outcomes.length} (${outcomes.join(', ')}) / ${handOvers}`,
          '',
          '',
        ],
      ],
    ),
    `Seeding: ${thousands(events)} chain entries hashed and written with BatchWriteItem (25 a call, 8 in flight) ` +
      `in ${seconds(report.seededMs)} s. Baseline: the reader's own Query (the same key range, ProjectionExpression ` +
      `'entry', pages of ${report.pageItems} entries — the reader's own Limit, about one 1 MB page; DynamoDB Local ` +
      `reads all that is left of the range for each page, so without a Limit paging is quadratic there) through ` +
      `the same document client, only counting, in a process of its own, ` +
      `once before and once after the export after an unmeasured warm-up read; the bare Query rates differ by ` +
      `${((figures.baselineSpread - 1) * 100).toFixed(0)}% (drift). Memory: rss and heapUsed sampled every ` +
      `${SAMPLE_EVERY_MS} ms in the export's process, every worker with ` +
      `${HEAP_MB > 0 ? `--max-old-space-size=${HEAP_MB} (the heap Node takes in the function's ${EXPORT_AUDIT.memoryMb} MB)` : "Node's default heap"}; ` +
      `fauxqs (which keeps the file) runs in the bench's process. ` +
      `Verification: GetObject streamed to disk (sha256 on the way), then verifyFile as \`schakel audit verify\` ` +
      `runs it, in ${seconds(verified.ms)} s.`,
  ];
}
