import { parseArgs } from 'node:util';

// npm run fuzz — hostile requests against every declared operation (test/hostile/): a sweep of
// deeply nested bodies, then 10,000 random cases with the unit test's fixed seed by default, so two
// runs print the same figures.
//
//   npm run fuzz -- --runs 50000 --seed random
//   npm run fuzz -- --seed 20261129 --only submitSignal --replay 17:2:0
//
// Exits 1 when any case breaks the contract; each distinct failure is printed with a shrunk
// reproduction and the command that replays it.

const USAGE =
  'usage: tsx scripts/fuzz.ts [--runs N] [--seed N|random] [--only operationId[,…]] [--replay path] [--max-shrinks N]';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    replay: { type: 'string' },
    'max-shrinks': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`${name} must be a whole number, not ${text}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const runs = wholeNumber('--runs', values.runs ?? process.env.FUZZ_RUNS, 10_000);
const seedText = values.seed ?? process.env.FUZZ_SEED;
const seed =
  seedText === 'random' ? Math.floor(Math.random() * 2 ** 31) : wholeNumber('--seed', seedText, 20261129);
const only = values.only?.split(',').filter(Boolean);
if (values.replay !== undefined && only?.length !== 1) {
  console.error(`--replay needs exactly one --only operation\n${USAGE}`);
  process.exit(2);
}

// The handlers log a line per request; Powertools reads the level when the logger is created, so
// it is set before the engine (and with it every handler) is imported.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const { depthSweep, formatReport, formatSweepFailures, runFuzz } = await import('../test/hostile/engine.js');

// Before the fuzz warms the handlers up: deep bodies break widest in cold code (see depthSweep).
const sweeping = values.replay === undefined && !only;
if (sweeping) console.error('fuzz: sweeping deeply nested bodies');
const sweep = sweeping ? await depthSweep() : [];

console.error(`fuzz: ${runs} cases, seed ${seed}${only ? `, only ${only.join(', ')}` : ''}`);
let shown = 0;
const report = await runFuzz({
  runs,
  seed,
  ...(only ? { operations: only } : {}),
  ...(values.replay !== undefined ? { replay: values.replay } : {}),
  maxShrinks: wholeNumber('--max-shrinks', values['max-shrinks'], 100),
  onProgress: (done, total) => {
    const now = Date.now();
    if (done < total && now - shown < 1000) return;
    shown = now;
    process.stderr.write(`\rfuzz: ${done}/${total} cases (${Math.round((done / total) * 100)}%)`);
  },
});
process.stderr.write('\n');

console.log(formatReport(report));
if (sweeping) console.log(formatSweepFailures(sweep));
process.exit(report.failures.length > 0 || sweep.length > 0 ? 1 : 0);
