import { randomUUID } from 'node:crypto';
import { FUNCTION_DECLARATIONS } from '../../functions/registry.js';
import type { FunctionTrigger } from '../../functions/shared/declarations.js';
import type { LocalLog } from '../local-log.js';
import { type LocalFunctions, requireFunction } from '../runtime/local-function.js';
import type { EventSource } from './event-source.js';

// EventBridge schedules, played by timers: no emulator here has EventBridge (TOOLCHAIN.md). A
// scheduled function runs once soon after the hub starts, then at its declared local interval —
// not at its cron time: a hub seldom runs at 02:15, and a run is idempotent, so it may run often.
// A run still in flight when the next is due is not started twice; stopping waits for it.

type Schedule = Extract<FunctionTrigger, { kind: 'schedule' }>;

export interface ScheduleOptions {
  functions: LocalFunctions;
  region: string;
  log: LocalLog;
  /** For tests: the schedules to play (default: every scheduled function of the registry). */
  schedules?: readonly { name: Parameters<typeof requireFunction>[1]; trigger: Schedule }[];
}

/** EventBridge's "Scheduled Event" as the rule would deliver it to the function. */
function scheduledEvent(region: string, time: Date) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [],
    detail: {},
  };
}

export function startSchedules(options: ScheduleOptions): EventSource {
  const schedules =
    options.schedules ??
    FUNCTION_DECLARATIONS.flatMap((d) =>
      d.trigger.kind === 'schedule' ? [{ name: d.name, trigger: d.trigger }] : [],
    );
  const timers: NodeJS.Timeout[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  for (const { name, trigger } of schedules) {
    const target = requireFunction(options.functions, name);
    let running: Promise<void> | undefined;
    const run = () => {
      if (stopped || running) return;
      running = target
        .invoke(scheduledEvent(options.region, new Date()))
        .then(
          () => options.log.info(`${name}: scheduled run done`),
          (error) => options.log.error(`${name}: scheduled run failed`, error),
        )
        .finally(() => {
          if (running) inFlight.delete(running);
          running = undefined;
        });
      inFlight.add(running);
    };
    const first = setTimeout(() => {
      run();
      const every = setInterval(run, trigger.localEveryMinutes * 60_000);
      every.unref();
      timers.push(every);
    }, trigger.localFirstAfterSeconds * 1000);
    // A timer never keeps the process alive: the hub's stop() or the test's end decides.
    first.unref();
    timers.push(first);
  }

  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(inFlight);
    },
  };
}
