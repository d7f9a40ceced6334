import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSchedules } from '../../../../local/event-sources/schedule.js';
import type { LocalFunction, LocalFunctions } from '../../../../local/runtime/local-function.js';

// Local mode plays EventBridge schedules with timers: a first run soon after the start, then one
// per interval, never two runs of one function at once, and stopping waits for a run in flight.

const trigger = {
  kind: 'schedule' as const,
  cron: '15 2 * * ? *',
  localFirstAfterSeconds: 60,
  localEveryMinutes: 60,
};

function recording(duration = 0) {
  const events: unknown[] = [];
  let finished = 0;
  const fn: LocalFunction = {
    name: 'apply-retention',
    arn: 'arn:aws:lambda:eu-west-1:000000000000:function:apply-retention',
    invoke: async (event) => {
      events.push(event);
      if (duration > 0) await new Promise((r) => setTimeout(r, duration));
      finished += 1;
      return null;
    },
  };
  const functions: LocalFunctions = new Map([['apply-retention', fn]]);
  return { events, functions, finished: () => finished };
}

const log = { info: () => undefined, error: () => undefined };

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('startSchedules', () => {
  it('runs a minute after the start and then every hour, with a Scheduled Event', async () => {
    const { events, functions } = recording();
    const source = startSchedules({
      functions,
      region: 'eu-west-1',
      log,
      schedules: [{ name: 'apply-retention', trigger }],
    });

    await vi.advanceTimersByTimeAsync(59_999);
    const beforeFirst = events.length;
    await vi.advanceTimersByTimeAsync(1);
    const afterFirst = events.length;
    await vi.advanceTimersByTimeAsync(2 * 60 * 60_000);
    await source.stop();

    expect([beforeFirst, afterFirst, events.length]).toEqual([0, 1, 3]);
    expect(events[0]).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      region: 'eu-west-1',
    });
  });

  it('does not start a run while the previous one is still going', async () => {
    const { events, functions } = recording(90 * 60_000);
    const source = startSchedules({
      functions,
      region: 'eu-west-1',
      log,
      schedules: [{ name: 'apply-retention', trigger }],
    });

    await vi.advanceTimersByTimeAsync(60_000 + 60 * 60_000);

    expect(events).toHaveLength(1);
    const stopping = source.stop();
    await vi.advanceTimersByTimeAsync(90 * 60_000);
    await stopping;
  });

  it('waits on stop for the run in flight and starts none after', async () => {
    const { events, functions, finished } = recording(5_000);
    const source = startSchedules({
      functions,
      region: 'eu-west-1',
      log,
      schedules: [{ name: 'apply-retention', trigger }],
    });
    await vi.advanceTimersByTimeAsync(60_000);

    const stopping = source.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopping;
    await vi.advanceTimersByTimeAsync(3 * 60 * 60_000);

    expect(finished()).toBe(1);
    expect(events).toHaveLength(1);
  });

  it('plays every schedule the registry declares when given none, each at its own interval', async () => {
    const runs = new Map<string, number>();
    const functions: LocalFunctions = new Map(
      (['apply-retention', 'escalate-referrals'] as const).map((name) => [
        name,
        {
          name,
          arn: `arn:aws:lambda:eu-west-1:000000000000:function:${name}`,
          invoke: async () => {
            runs.set(name, (runs.get(name) ?? 0) + 1);
            return null;
          },
        },
      ]),
    );
    const source = startSchedules({ functions, region: 'eu-west-1', log });

    await vi.advanceTimersByTimeAsync(60_000);
    await source.stop();

    // apply-retention: once after 60 s; escalate-referrals: after 5 s, then every 6 s.
    expect(Object.fromEntries(runs)).toEqual({ 'apply-retention': 1, 'escalate-referrals': 10 });
  });
});
