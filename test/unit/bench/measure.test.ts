import { describe, expect, it } from 'vitest';
import { inParallel, percentile, table } from '../../../bench/measure.js';

describe('percentile', () => {
  it.each([
    [50, 5],
    [90, 9],
    [99, 10],
    [100, 10],
    [1, 1],
  ])('answers the nearest-rank p%i of 1…10 in any order: %i', (p, expected) => {
    expect(percentile([7, 3, 10, 1, 9, 2, 8, 4, 6, 5], p)).toBe(expected);
  });

  it('answers a measured value, never one between two', () => {
    expect(percentile([10, 20], 50)).toBe(10);
  });

  it('refuses no values and a percentile outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('inParallel', () => {
  it('runs every index once with never more than the concurrency in flight', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    await inParallel(25, 4, async (i) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, i % 3));
      seen.push(i);
      inFlight -= 1;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(most).toBe(4);
  });

  it('rejects with the first error, after the tasks in flight have settled, and starts no new ones', async () => {
    const started: number[] = [];
    let settled = 0;
    const run = inParallel(10, 2, async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, 5));
      settled += 1;
      if (i === 1) throw new Error('task 1 failed');
    });
    await expect(run).rejects.toThrow('task 1 failed');
    expect(settled).toBe(started.length);
    expect(started.length).toBeLessThan(10);
  });

  it('does nothing for no tasks', async () => {
    let calls = 0;
    await inParallel(0, 8, async () => {
      calls += 1;
    });
    expect(calls).toBe(0);
  });
});

describe('table', () => {
  it('pads the first column left-aligned and the others right-aligned under a rule', () => {
    expect(
      table(
        ['name', 'n'],
        [
          ['a', '1'],
          ['bb', '22'],
        ],
      ).split('\n'),
    ).toEqual(['name   n', '----  --', 'a      1', 'bb    22']);
  });
});
