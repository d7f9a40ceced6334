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
console.log('');
// The use cases log through Powertools, which reads its level once, when first imported.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const { runEncryptionBench } = await import('./encryption.js');
console.log(await runEncryptionBench(options));
process.stderr.write(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
