import { runBundleBench } from './bundles.js';

// `npm run bench [--quick] [--burst=N] [--export=N] [--lead-times=N] [--only=bundles,encryption,burst,export,lead-times]`.
// BENCH_RUNS overrides the measured repetitions per bundle and variant; BENCH_BURST_SIGNALS (or
// --burst=N) the signals of the burst: 10,000 by default (the figure), 1,000 with --quick,
// 0 leaves the burst out; BENCH_EXPORT_EVENTS (or --export=N) the audit events of the export:
// 1,000,000 by default (the figure), 20,000 with --quick, 0 leaves it out.
// BENCH_EXPORT_CPU_PROF=<dir> writes a CPU profile of each of the export's worker processes there;
// BENCH_EXPORT_HEAP_MB their heap (default: half of export-audit's memory, as Node takes it; 0: Node's default).
// BENCH_LEAD_TIME_REFERRALS (or --lead-times=N) the referrals of the lead-time answer: 100,000 by
// default (the figure), 10,000 with --quick, 0 leaves it out.

const SECTIONS = ['bundles', 'encryption', 'burst', 'export', 'lead-times'] as const;
type Section = (typeof SECTIONS)[number];

const flag = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? undefined;

function positiveInteger(what: string, value: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
    throw new Error(`${what} must be a ${allowZero ? 'whole number' : 'positive integer'}, not ${value}`);
  return n;
}

const quick = process.argv.includes('--quick');
const runsFromEnv = process.env.BENCH_RUNS;
const runs = runsFromEnv === undefined ? (quick ? 5 : 15) : positiveInteger('BENCH_RUNS', runsFromEnv);
const options = { runs, warmups: quick ? 1 : 3 };
const burstFrom = flag('burst') ?? process.env.BENCH_BURST_SIGNALS;
const burstSignals =
  burstFrom === undefined ? (quick ? 1000 : 10_000) : positiveInteger('--burst', burstFrom, true);
const exportFrom = flag('export') ?? process.env.BENCH_EXPORT_EVENTS;
const exportEvents =
  exportFrom === undefined ? (quick ? 20_000 : 1_000_000) : positiveInteger('--export', exportFrom, true);
const leadTimesFrom = flag('lead-times') ?? process.env.BENCH_LEAD_TIME_REFERRALS;
const leadTimeReferrals =
  leadTimesFrom === undefined
    ? quick
      ? 10_000
      : 100_000
    : positiveInteger('--lead-times', leadTimesFrom, true);
const only = flag('only')?.split(',');
for (const name of only ?? []) {
  if (!SECTIONS.includes(name as Section))
    throw new Error(`--only takes ${SECTIONS.join(', ')}; not ${name}`);
}
const wanted = (section: Section) =>
  (only === undefined || only.includes(section)) &&
  (section !== 'burst' || burstSignals > 0) &&
  (section !== 'export' || exportEvents > 0) &&
  (section !== 'lead-times' || leadTimeReferrals > 0);

// The handlers log through Powertools, which reads its level once, when first imported.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const started = performance.now();
let printed = 0;
// Each section as soon as it is measured: the burst takes minutes.
const print = (section: string) => {
  console.log(printed++ === 0 ? section : `\n${section}`);
};
if (wanted('bundles')) print(await runBundleBench(options));
if (wanted('encryption')) {
  const { runEncryptionBench } = await import('./encryption.js');
  print(await runEncryptionBench(options));
}
if (wanted('burst')) {
  const { runBurstBench } = await import('./burst.js');
  print(
    await runBurstBench({
      signals: burstSignals,
      concurrency: 32,
      batchComparison: Math.min(2000, burstSignals),
    }),
  );
}
if (wanted('export')) {
  const { runExportBench } = await import('./export.js');
  print(await runExportBench({ events: exportEvents }));
}
if (wanted('lead-times')) {
  const { runLeadTimeBench } = await import('./lead-times.js');
  print(await runLeadTimeBench({ referrals: leadTimeReferrals, runs: quick ? 3 : 5 }));
}
process.stderr.write(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
