import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  exportFigures,
  MemoryWatch,
  megabytes,
  memoryGrowth,
  TARGET_GROWTH_BYTES,
} from '../../../bench/export-analysis.js';

const MB = 1e6;

describe('memoryGrowth', () => {
  it('is the peak of each figure minus its value before, peaks taken apart', () => {
    const growth = memoryGrowth({ rss: 100 * MB, heapUsed: 20 * MB }, [
      { rss: 150 * MB, heapUsed: 30 * MB },
      { rss: 130 * MB, heapUsed: 45 * MB },
      { rss: 90 * MB, heapUsed: 10 * MB },
    ]);
    expect(growth).toMatchObject({
      peak: { rss: 150 * MB, heapUsed: 45 * MB },
      samples: 3,
      rssGrowth: 50 * MB,
      heapGrowth: 25 * MB,
    });
  });

  it('is zero, not negative, when memory only shrank', () => {
    expect(memoryGrowth({ rss: 100, heapUsed: 10 }, [{ rss: 80, heapUsed: 5 }])).toMatchObject({
      rssGrowth: 0,
      heapGrowth: 0,
    });
  });
});

describe('MemoryWatch', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('samples before, on every tick and at the stop, and stops ticking', () => {
    vi.useFakeTimers();
    let rss = 100;
    const read = vi.fn(() => ({ rss, heapUsed: 1, external: 0 }));
    const watch = new MemoryWatch(read, 100);
    watch.start();
    rss = 400;
    vi.advanceTimersByTime(100);
    rss = 200;
    vi.advanceTimersByTime(200);
    rss = 250;
    const growth = watch.stop();
    expect(growth).toMatchObject({ before: { rss: 100 }, peak: { rss: 400 }, samples: 4, rssGrowth: 300 });
    vi.advanceTimersByTime(1000);
    expect(read).toHaveBeenCalledTimes(5);
  });

  it('refuses to start twice or to stop unstarted', () => {
    const watch = new MemoryWatch(() => ({ rss: 1, heapUsed: 1 }), 100);
    expect(() => watch.stop()).toThrow();
    watch.start();
    expect(() => watch.start()).toThrow();
    watch.stop();
  });
});

describe('exportFigures', () => {
  const growth = (rssGrowth: number) =>
    memoryGrowth({ rss: 0, heapUsed: 0 }, [{ rss: rssGrowth, heapUsed: 0 }]);

  it('compares the export with the mean of the baselines’ rates', () => {
    // 10,000/s and 8,000/s: mean 9,000/s; the export 6,300/s is 0.70 of it.
    const figures = exportFigures(
      [
        { events: 100_000, ms: 10_000 },
        { events: 100_000, ms: 12_500 },
      ],
      { events: 100_000, ms: 100_000 / 6.3 },
      growth(150 * MB),
    );
    expect(figures.baselineRate).toBeCloseTo(9000);
    expect(figures.baselineSpread).toBeCloseTo(1.25);
    expect(figures.exportRate).toBeCloseTo(6300);
    expect(figures.ratio).toBeCloseTo(0.7);
    expect(figures.ratioMet).toBe(true);
    expect(figures.growthMet).toBe(true);
  });

  it('marks a target missed: a slower export, more than 200 MB of growth', () => {
    const figures = exportFigures(
      [{ events: 1000, ms: 1000 }],
      { events: 1000, ms: 1500 },
      growth(TARGET_GROWTH_BYTES + 1),
    );
    expect(figures.ratio).toBeCloseTo(0.667, 3);
    expect(figures.ratioMet).toBe(false);
    expect(figures.growthMet).toBe(false);
    expect(
      exportFigures([{ events: 1, ms: 1 }], { events: 1, ms: 1 }, growth(TARGET_GROWTH_BYTES)).growthMet,
    ).toBe(true);
  });

  it('needs a baseline', () => {
    expect(() => exportFigures([], { events: 1, ms: 1 }, growth(0))).toThrow(RangeError);
  });

  it('writes bytes as MB of 10^6', () => {
    expect(megabytes(200e6)).toBe('200.0 MB');
  });
});
