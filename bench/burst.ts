import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { OPERATIONS } from '../functions/registry.js';
import { type LocalMunicipalityClient, municipalityClient } from '../local/local-config.js';
import type { LocalLog } from '../local/local-log.js';
import { type LocalHub, startLocalHub } from '../local/start.js';
import { documentsOf, javaProcessesUnder } from '../test/integration/local/hub-support.js';
import { analyseBurst, type BurstAnalysis, EVENTS_PER_SIGNAL } from './burst-analysis.js';
import {
  auditEventCount,
  auditTrail,
  meanSignalItemBytes,
  stateRows,
  TeamQueues,
} from './burst-observers.js';
import { type SignalFactory, Submissions, signalFactory } from './burst-traffic.js';
import { duration, inParallel, percentile, seconds, table, thousands } from './measure.js';
import { cpuSecondsOf } from './processes.js';

// `npm run bench`'s burst: a whole local hub (DynamoDB Local, fauxqs, the real handlers) takes N
// new signals from 32 clients at once over HTTP, and the bench waits until every one is routed, on
// its team's queue and audited. The end-to-end time is compared with the floor the emulator
// imposes, measured in the same run on the same hub: N plain PutItems at the same concurrency.

export interface BurstOptions {
  /** Signals in the burst (the issue's figure: 10,000). */
  signals: number;
  /** Clients at once, for the burst, the singles and the raw writes. */
  concurrency: number;
  /** Signals sent each way when comparing `POST /v1/signal-batches` with single submissions. */
  batchComparison: number;
}

const TARGET_RATIO = 0.5;
const TARGET_AUDIT_TAIL_MS = 60_000;
/** Not measured: JIT of the JVM and Node, first connections, the chains' first heads. */
const WARM_UP_SIGNALS = 300;
const BATCH_SIZE = 100;
const BATCHES_IN_PARALLEL = 4;
const BATCH_OPERATION = { method: 'POST', path: '/v1/signal-batches' } as const;
const PROGRESS_EVERY_MS = 5000;
/** How long the bench waits for the pipeline after the last submission: generous, then it reports what is missing. */
const waitLimitMs = (signals: number) => Math.max(120_000, signals * 60);

const progress = (line: string) => process.stderr.write(`${line}\n`);

/** The hub's console lines: errors counted, the first few shown (they name the error class only). */
function benchLog(): LocalLog & { errors: number } {
  const log = {
    errors: 0,
    info: () => undefined,
    error(line: string) {
      log.errors += 1;
      if (log.errors <= 5) progress(`  hub: ${line}`);
      if (log.errors === 5) progress('  hub: (further errors counted, not shown)');
    },
  };
  return log;
}

interface CpuMark {
  node: number;
  jvm: number | undefined;
  at: number;
}

/** CPU seconds of this process (the whole hub but DynamoDB Local, and the bench's clients) and of the JVM. */
interface CpuUse {
  node: number;
  jvm: number | undefined;
  wallSeconds: number;
}

interface Phase {
  submissions: Submissions;
  startedAt: number;
  submittedAt: number;
  /** When the bench saw every accepted signal queued and every audit event appended; undefined: gave up. */
  completeAt: number | undefined;
  cpu: CpuUse;
}

class BurstBench {
  private readonly documents: DynamoDBDocumentClient;
  private readonly queues: TeamQueues;
  private readonly municipalities: LocalMunicipalityClient[];
  private readonly factory: SignalFactory;
  private readonly jvmPid: number | undefined;

  constructor(
    private readonly hub: LocalHub,
    dataDir: string,
    readonly run: string,
  ) {
    this.documents = documentsOf(hub);
    const teamQueues = new Map([...hub.resources.teamQueues].map(([team, queue]) => [team, queue.url]));
    this.queues = new TeamQueues(hub.localConfig, teamQueues);
    const codes = hub.localConfig.clients.flatMap((c) => (c.role === 'municipality' ? c.municipalities : []));
    this.municipalities = [...new Set(codes)].map((code) => municipalityClient(hub.localConfig, code));
    this.factory = signalFactory(hub.localConfig, run);
    this.jvmPid = javaProcessesUnder(dataDir)[0];
  }

  sourceIdOf = (phase: string) => (index: number) => this.factory.submission(phase, index).sourceId;

  private auditCount(): Promise<number> {
    return auditEventCount(
      this.documents,
      this.hub.resources.auditTable.name,
      this.municipalities.map((m) => m.municipalities[0] as string),
    );
  }

  private cpuMark(): CpuMark {
    const { user, system } = process.cpuUsage();
    return {
      node: (user + system) / 1e6,
      jvm: this.jvmPid === undefined ? undefined : cpuSecondsOf(this.jvmPid),
      at: Date.now(),
    };
  }

  private cpuSince(before: CpuMark): CpuUse {
    const after = this.cpuMark();
    return {
      node: after.node - before.node,
      jvm: after.jvm === undefined || before.jvm === undefined ? undefined : after.jvm - before.jvm,
      wallSeconds: (after.at - before.at) / 1000,
    };
  }

  /**
   * Sends a phase's signals, then waits until the team queues hold a message for each and the audit
   * chains an event for each change, printing progress; then drains the team queues (not timed).
   */
  async phase(
    label: string,
    signals: number,
    send: (submissions: Submissions) => Promise<void>,
  ): Promise<Phase> {
    const auditBefore = await this.auditCount();
    const submissions = new Submissions();
    const cpuBefore = this.cpuMark();
    const startedAt = Date.now();
    let submittedAt: number | undefined;
    const look = async () => ({
      audited: (await this.auditCount()) - auditBefore,
      queued: await this.queues.depth(),
    });
    const report = ({ audited, queued }: { audited: number; queued: number }) => {
      const elapsed = (Date.now() - startedAt) / 1000;
      const expected = submittedAt === undefined ? signals : submissions.accepted.length;
      const sending =
        submittedAt === undefined
          ? `${thousands(submissions.settled)}/${thousands(signals)} answered (${(submissions.settled / elapsed).toFixed(0)}/s)`
          : `all ${thousands(submissions.accepted.length)} accepted in ${seconds(submittedAt - startedAt)} s`;
      progress(
        `  ${label} ${elapsed.toFixed(0).padStart(4)} s: ${sending} · ${thousands(queued)} on team queues · ` +
          `${thousands(audited)}/${thousands(expected * EVENTS_PER_SIGNAL.length)} audit events`,
      );
    };
    let done = false;
    const ticker = setInterval(() => {
      look().then(
        (seen) => {
          if (!done) report(seen);
        },
        () => undefined,
      );
    }, PROGRESS_EVERY_MS);
    let completeAt: number | undefined;
    try {
      await send(submissions);
      submittedAt = Date.now();
      const expectedEvents = submissions.accepted.length * EVENTS_PER_SIGNAL.length;
      const deadline = submittedAt + waitLimitMs(signals);
      let seen = await look();
      while (Date.now() < deadline) {
        if (seen.audited >= expectedEvents && seen.queued >= submissions.accepted.length) {
          completeAt = Date.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
        seen = await look();
      }
      done = true;
      report(seen);
      if (completeAt === undefined)
        progress(`  ${label}: incomplete ${seconds(waitLimitMs(signals))} s after the last submission`);
    } finally {
      done = true;
      clearInterval(ticker);
    }
    const cpu = this.cpuSince(cpuBefore);
    await this.queues.drain();
    return { submissions, startedAt, submittedAt, completeAt, cpu };
  }

  singles(phase: string, count: number, concurrency: number) {
    return this.phase(phase, count, (submissions) =>
      inParallel(count, concurrency, (i) =>
        submissions.single(this.hub, i, this.factory.submission(phase, i)),
      ),
    );
  }

  batches(phase: string, count: number) {
    return this.phase(phase, count, (submissions) =>
      inParallel(Math.ceil(count / BATCH_SIZE), BATCHES_IN_PARALLEL, (b) => {
        const indexes = Array.from(
          { length: Math.min(BATCH_SIZE, count - b * BATCH_SIZE) },
          (_, k) => b * BATCH_SIZE + k,
        );
        return submissions.batch(
          this.hub,
          indexes.map((index) => ({ index, body: this.factory.submission(phase, index) })),
        );
      }),
    );
  }

  async analyse(phase: string, outcome: Phase) {
    progress('  reading the state table and every municipality’s audit trail…');
    const [rows, ...trails] = await Promise.all([
      stateRows(this.documents, this.hub.resources.stateTable.name),
      ...this.municipalities.map((m) => auditTrail(this.hub, m)),
    ]);
    return analyseBurst({
      accepted: outcome.submissions.accepted,
      sourceIdOf: this.sourceIdOf(phase),
      rows,
      arrivals: this.queues.arrivals,
      trails: new Map(this.municipalities.map((m, i) => [m.municipalities[0] as string, trails[i] ?? []])),
    });
  }

  /**
   * The floor: `count` PutItems of `bytes` each, `concurrency` at once, straight to DynamoDB Local,
   * into the state table every signal is first written to (write-audit ignores the items).
   */
  async rawWrites(count: number, concurrency: number, bytes: number): Promise<RawRun> {
    const item = (i: number) => ({ pk: `BENCH#${this.run}#${i}`, sk: 'BENCH', entity: 'bench' });
    const padding = 'x'.repeat(Math.max(0, bytes - Buffer.byteLength(JSON.stringify(item(0))) - 14));
    const tableName = this.hub.resources.stateTable.name;
    const cpuBefore = this.cpuMark();
    const startedAt = performance.now();
    await inParallel(count, concurrency, async (i) => {
      await this.documents.send(new PutCommand({ TableName: tableName, Item: { ...item(i), padding } }));
    });
    return { ms: performance.now() - startedAt, cpu: this.cpuSince(cpuBefore) };
  }

  meanSignalBytes(ids: readonly string[]) {
    return meanSignalItemBytes(this.documents, this.hub.resources.stateTable.name, ids);
  }

  async stop(): Promise<void> {
    this.queues.stop();
    this.documents.destroy();
  }

  /** Signals per team among these, by where their CloudEvent arrived. */
  teamsOf(ids: readonly string[]): Map<string, number> {
    const teams = new Map<string, number>();
    for (const id of ids) {
      const team = this.queues.arrivals.get(id)?.teamId;
      if (team) teams.set(team, (teams.get(team) ?? 0) + 1);
    }
    return teams;
  }

  get queueAnomalies() {
    return { redelivered: this.queues.redeliveries, unreadable: this.queues.unreadable };
  }
}

export async function runBurstBench(options: BurstOptions): Promise<string> {
  const { signals, concurrency } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'schakel-bench-'));
  const log = benchLog();
  progress(`burst: starting a local hub in ${dataDir}…`);
  const hub = await startLocalHub({ port: 0, dataDir, log });
  const bench = new BurstBench(hub, dataDir, randomBytes(4).toString('hex'));
  const lines: string[] = [];
  try {
    const warmUp = Math.min(WARM_UP_SIGNALS, signals);
    progress(`burst: warm-up, ${warmUp} signals (not measured)`);
    const warm = await bench.singles('warm-up', warmUp, concurrency);

    const bytes = await bench.meanSignalBytes(warm.submissions.accepted.map((a) => a.id));
    const raw = (when: string) => {
      progress(
        `burst: raw PutItem ×${thousands(signals)} of ${bytes} bytes, ${concurrency} at once (${when})`,
      );
      return bench.rawWrites(signals, concurrency, bytes);
    };
    const rawBefore = await raw('before the burst');
    // The raw items went through the stream too (write-audit ignores them): a few signals audited
    // after them show the stream has passed them before the burst begins.
    progress('burst: waiting for the stream to pass the raw items');
    await bench.singles('settle', Math.min(concurrency, signals), concurrency);

    progress(`burst: ${thousands(signals)} signals, ${concurrency} at once`);
    const burst = await bench.singles('burst', signals, concurrency);
    const analysis = await bench.analyse('burst', burst);
    const teams = bench.teamsOf(burst.submissions.accepted.map((a) => a.id));

    const batchRegistered = OPERATIONS.some(
      (o) => o.spec.method === BATCH_OPERATION.method && o.spec.path === BATCH_OPERATION.path,
    );
    const comparison = Math.min(options.batchComparison, signals);
    let batchLines: string[];
    if (batchRegistered) {
      progress(`burst: ${thousands(comparison)} single submissions, ${concurrency} at once`);
      const singles = await bench.singles('singles', comparison, concurrency);
      progress(
        `burst: ${thousands(comparison)} signals in batches of ${BATCH_SIZE}, ${BATCHES_IN_PARALLEL} at once`,
      );
      const batched = await bench.batches('batches', comparison);
      batchLines = batchComparisonLines(comparison, concurrency, singles, batched);
    } else {
      batchLines = [
        `${BATCH_OPERATION.method} ${BATCH_OPERATION.path} is not in the registry (functions/registry.ts): batch comparison not measured.`,
      ];
    }

    const rawAfter = await raw('after the burst');

    const { redelivered, unreadable } = bench.queueAnomalies;
    lines.push(
      ...burstLines(options, burst, analysis, { before: rawBefore, after: rawAfter, bytes }),
      `Teams reached by the burst: ${[...teams].map(([team, n]) => `${team} ${thousands(n)}`).join(', ')}; ` +
        `team-queue messages redelivered ${redelivered}, unreadable ${unreadable}; ` +
        `hub: ${log.errors === 0 ? 'no errors logged' : `${log.errors} error lines logged (the first ones on stderr)`}.`,
      '',
      ...batchLines,
    );
  } finally {
    await bench.stop();
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return lines.join('\n');
}

interface RawRun {
  ms: number;
  cpu: CpuUse;
}

interface RawWrites {
  /** The N PutItems into the state table, before and after the burst. */
  before: RawRun;
  after: RawRun;
  bytes: number;
}

function burstLines(options: BurstOptions, burst: Phase, analysis: BurstAnalysis, raw: RawWrites): string[] {
  const { signals, concurrency } = options;
  const { accepted, refused, retries } = burst.submissions;
  const complete = burst.completeAt !== undefined;
  const endToEnd = Math.max(analysis.lastQueuedAt, analysis.auditCompleteAt) - burst.startedAt;
  // The floor: interference from the machine only ever slows a run down, so the faster one.
  const fastest = raw.before.ms <= raw.after.ms ? raw.before : raw.after;
  const ratio = fastest.ms / endToEnd;
  const duplicated = analysis.duplicateSignals + analysis.duplicateAuditIds + analysis.duplicateEvents;
  const chainsValid = analysis.chains.every((c) => c.verdict === 'valid');
  const tail = analysis.auditCompleteAt - analysis.lastQueuedAt;
  const p = (values: number[], q: number) => (values.length ? duration(percentile(values, q)) : 'n/a');
  const stageAt = (at: number) => seconds(at - burst.startedAt);
  const rate = (n: number, at: number) => (n / ((at - burst.startedAt) / 1000)).toFixed(0);
  const { cpu } = burst;
  const perItem = (used: number | undefined, n: number) =>
    used === undefined ? 'n/a' : `${((1000 * used) / n).toFixed(2)} ms`;
  const share = (used: number | undefined, wallSeconds: number) =>
    used === undefined ? 'n/a' : `${((100 * used) / wallSeconds).toFixed(0)}%`;
  const cpuRow = (what: string, burstUsed: number | undefined, rawUsed: number | undefined) => [
    what,
    perItem(burstUsed, accepted.length),
    perItem(rawUsed, signals),
    burstUsed === undefined || rawUsed === undefined ? 'n/a' : `${(burstUsed / rawUsed).toFixed(1)}×`,
    share(burstUsed, cpu.wallSeconds),
    share(rawUsed, fastest.cpu.wallSeconds),
  ];
  const row = (figure: string, measured: string, target = '', ok?: boolean) => [
    figure,
    measured,
    target,
    ok === undefined ? '' : ok ? 'PASS' : 'MISS',
  ];

  return [
    `Burst through local mode — ${thousands(signals)} new signals from ${concurrency} clients at once ` +
      `(POST /v1/signals over HTTP as the seeded school; half referrals, half consultations; ` +
      `${analysis.chains.length} municipalities, ${EVENTS_PER_SIGNAL.length} audit events per signal), ` +
      `after a warm-up of ${Math.min(WARM_UP_SIGNALS, signals)}; one run`,
    table(
      ['figure', 'measured', 'target', ''],
      [
        row(
          'accepted (202) / refused / retried',
          `${thousands(accepted.length)} / ${refused.length} / ${retries}`,
        ),
        row(
          'end to end: first POST → all on team queues and audited',
          complete ? `${seconds(endToEnd)} s` : 'incomplete',
        ),
        row(
          `raw PutItem ×${thousands(signals)}, ${concurrency} at once, before / after`,
          `${seconds(raw.before.ms)} s / ${seconds(raw.after.ms)} s`,
        ),
        row(
          'ratio raw (the faster) / end to end',
          complete ? ratio.toFixed(2) : 'n/a',
          `≥ ${TARGET_RATIO}`,
          complete && ratio >= TARGET_RATIO,
        ),
        row(
          'lost: accepted but not routed, queued and audited',
          thousands(analysis.lost.length),
          '0',
          analysis.lost.length === 0,
        ),
        row(
          'duplicated: signals per sourceId / audit ids / events',
          `${analysis.duplicateSignals} / ${analysis.duplicateAuditIds} / ${analysis.duplicateEvents}`,
          '0',
          duplicated === 0,
        ),
        row(
          'chains (verifyChain: hashes, sequence, versions)',
          analysis.chains.map((c) => `${c.municipality} ${c.verdict}`).join(', '),
          'valid',
          chainsValid,
        ),
        row(
          '202 → on the team queue, p50 / p99',
          `${p(analysis.queueLagMs, 50)} / ${p(analysis.queueLagMs, 99)}`,
        ),
        row(
          'audit complete after the last routing',
          complete ? duration(tail) : 'n/a',
          '≤ 60 s',
          complete && tail <= TARGET_AUDIT_TAIL_MS,
        ),
      ],
    ),
    ...analysis.lost.slice(0, 5).map((l) => `  lost: ${l.id} (${l.why.join(', ')})`),
    '',
    'Each stage of the burst, from the first POST:',
    table(
      ['stage', 'last at s', 'per s', 'of', 'path'],
      [
        [
          'accepted (202)',
          stageAt(analysis.lastAcceptedAt),
          rate(accepted.length, analysis.lastAcceptedAt),
          'signals',
          `HTTP → receive-signal → state table + intake queue; POST answered in p50 ${p(burst.submissions.latencies, 50)}, ` +
            `p99 ${p(burst.submissions.latencies, 99)}`,
        ],
        [
          'routed (on a team queue)',
          stageAt(analysis.lastQueuedAt),
          rate(accepted.length, analysis.lastQueuedAt),
          'signals',
          `intake queue → route-signal → team queue; 202 → routed (the referral's createdAt) ` +
            `p50 ${p(analysis.routedLagMs, 50)}, p99 ${p(analysis.routedLagMs, 99)}`,
        ],
        [
          'audited (recordedAt)',
          stageAt(analysis.auditCompleteAt),
          rate(analysis.auditEvents, analysis.auditCompleteAt),
          'events',
          'stream → write-audit → audit table',
        ],
      ],
      [3, 4],
    ),
    '',
    'CPU (user + system) per signal of the burst and per raw PutItem (the faster run), and the share of one core each kept busy:',
    table(
      ['process', 'per signal', 'per raw write', 'ratio', 'burst', 'raw'],
      [
        cpuRow('DynamoDB Local (the JVM)', cpu.jvm, fastest.cpu.jvm),
        cpuRow('this Node process: hub, fauxqs, clients', cpu.node, fastest.cpu.node),
      ],
    ),
    `Baseline: ${thousands(signals)} PutItem calls of ${raw.bytes} bytes (the mean size of a stored signal), ` +
      `${concurrency} at once from this process, straight to the hub's DynamoDB Local, into the state table every ` +
      'signal is first written to (stream on, as deployed), once before the burst and once after; the faster counts.',
  ];
}

function batchComparisonLines(count: number, concurrency: number, singles: Phase, batched: Phase): string[] {
  const row = (way: string, phase: Phase) => {
    const acceptMs = phase.submittedAt - phase.startedAt;
    return [
      way,
      `${thousands(phase.submissions.accepted.length)} / ${phase.submissions.refused.length}`,
      seconds(acceptMs),
      (phase.submissions.accepted.length / (acceptMs / 1000)).toFixed(0),
      phase.submissions.latencies.length ? duration(percentile(phase.submissions.latencies, 50)) : 'n/a',
      phase.completeAt === undefined ? 'incomplete' : seconds(phase.completeAt - phase.startedAt),
    ];
  };
  const throughput = (phase: Phase) =>
    phase.submissions.accepted.length / (phase.submittedAt - phase.startedAt);
  return [
    `Backlog: ${thousands(count)} signals each way, the hub idle before each:`,
    table(
      ['way', 'accepted / refused', 'answered in s', 'signals/s', 'request p50', 'routed + audited in s'],
      [
        row(`POST /v1/signals, ${concurrency} at once`, singles),
        row(`POST /v1/signal-batches, ${BATCH_SIZE} per body, ${BATCHES_IN_PARALLEL} at once`, batched),
      ],
    ),
    `Batch endpoint throughput / single submissions (signals accepted per second): ${(throughput(batched) / throughput(singles)).toFixed(2)}×`,
  ];
}
