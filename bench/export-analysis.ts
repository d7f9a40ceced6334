// The export bench's arithmetic: a process's memory watched while it works, and the figures the
// issue sets targets for. Pure but for the timer of MemoryWatch; checked by
// test/unit/bench/export-analysis.test.ts.

export interface MemorySample {
  rss: number;
  heapUsed: number;
}

export interface MemoryGrowth {
  /** Just before the step started. */
  before: MemorySample;
  /** The highest of each seen while it ran (sampled, and at its end). */
  peak: MemorySample;
  samples: number;
  /** Peak minus before, bytes. */
  rssGrowth: number;
  heapGrowth: number;
}

/** Peak minus the value before, of each figure, over samples taken while a step ran. */
export function memoryGrowth(before: MemorySample, samples: readonly MemorySample[]): MemoryGrowth {
  const peak = { ...before };
  for (const s of samples) {
    peak.rss = Math.max(peak.rss, s.rss);
    peak.heapUsed = Math.max(peak.heapUsed, s.heapUsed);
  }
  return {
    before,
    peak,
    samples: samples.length,
    rssGrowth: peak.rss - before.rss,
    heapGrowth: peak.heapUsed - before.heapUsed,
  };
}

/** Samples a process's memory every `everyMs` between start() and stop(). */
export class MemoryWatch {
  #before: MemorySample | undefined;
  readonly #samples: MemorySample[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly read: () => MemorySample,
    private readonly everyMs: number,
  ) {}

  #sample(): MemorySample {
    const { rss, heapUsed } = this.read();
    return { rss, heapUsed };
  }

  start(): void {
    if (this.#before) throw new Error('MemoryWatch started twice');
    this.#before = this.#sample();
    this.#timer = setInterval(() => this.#samples.push(this.#sample()), this.everyMs);
  }

  stop(): MemoryGrowth {
    if (!this.#before) throw new Error('MemoryWatch stopped before it started');
    clearInterval(this.#timer);
    this.#samples.push(this.#sample());
    return memoryGrowth(this.#before, this.#samples);
  }
}

export const TARGET_RATIO = 0.7;
/** 200 MB, read strictly: 200 × 10^6 bytes. */
export const TARGET_GROWTH_BYTES = 200e6;

export interface TimedRun {
  events: number;
  ms: number;
}

export const eventsPerSecond = (run: TimedRun): number => run.events / (run.ms / 1000);

export interface ExportFigures {
  /** The mean of the baseline runs' rates (events/s). */
  baselineRate: number;
  /** Slowest baseline over the fastest: how much the machine drifted (1 = not at all). */
  baselineSpread: number;
  exportRate: number;
  ratio: number;
  ratioMet: boolean;
  growthMet: boolean;
}

/** The export's rate against the mean of the baselines around it, and the targets. */
export function exportFigures(
  baselines: readonly TimedRun[],
  exported: TimedRun,
  growth: MemoryGrowth,
): ExportFigures {
  if (baselines.length === 0) throw new RangeError('no baseline');
  const rates = baselines.map(eventsPerSecond);
  const baselineRate = rates.reduce((sum, r) => sum + r, 0) / rates.length;
  const exportRate = eventsPerSecond(exported);
  const ratio = exportRate / baselineRate;
  return {
    baselineRate,
    baselineSpread: Math.max(...rates) / Math.min(...rates),
    exportRate,
    ratio,
    ratioMet: ratio >= TARGET_RATIO,
    growthMet: growth.rssGrowth <= TARGET_GROWTH_BYTES,
  };
}

/** Bytes as MB (10^6), one decimal. */
export const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
