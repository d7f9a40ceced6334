import { runBundleBench } from './bundles.js';

// `npm run bench [--quick]`; BENCH_RUNS overrides the measured repetitions per bundle and variant.

const quick = process.argv.includes('--quick');
const runsFromEnv = process.env.BENCH_RUNS;
const runs = runsFromEnv === undefined ? (quick ? 5 : 15) : Number(runsFromEnv);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`BENCH_RUNS must be a positive integer, not ${runsFromEnv}`);
const options = { runs, warmups: quick ? 1 : 3 };

const started = performance.now();
console.log(await runBundleBench(options));
process.stderr.write(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
