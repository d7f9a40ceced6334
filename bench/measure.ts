// Small pieces the benchmarks share: percentiles, a bounded pool of concurrent tasks, a plain-text
// table. Pure, so test/unit/bench/ checks them without emulators.

/**
 * The p-th percentile (0 < p ≤ 100) by nearest rank: the smallest value that at least p% of the
 * values are at or below. No interpolation, so the answer is always a measured value.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('no values');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], not ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[rank - 1] as number;
}

/**
 * Runs `task(0)` … `task(count - 1)` with at most `concurrency` in flight, each worker taking the
 * next index as soon as its previous task settles (a closed-loop load, like clients that wait for
 * their answer). Rejects with the first error after the tasks in flight have settled.
 */
export async function inParallel(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a positive integer, not ${concurrency}`);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && !failure) {
      const index = next;
      next += 1;
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure) throw failure.error;
}

/**
 * Columns padded to their widest cell under a rule: the first and any column named in `leftAligned`
 * left-aligned (text), the others right-aligned (numbers).
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  leftAligned: readonly number[] = [],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const left = (i: number) => i === 0 || leftAligned.includes(i);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (left(i) ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `10,000`: counts as people read them. */
export const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Seconds with one decimal from milliseconds. */
export const seconds = (ms: number): string => (ms / 1000).toFixed(1);

/** A duration as people read it: `350 ms` below a second, `1.6 s` from one. */
export const duration = (ms: number): string =>
  Math.abs(ms) < 1000 ? `${Math.round(ms)} ms` : `${seconds(ms)} s`;
