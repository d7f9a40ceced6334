import {
  FakeIntakeQueue,
  FakePseudonymizer,
  FakeVault,
  fixedClock,
  InMemoryStateStore,
  sequentialIds,
} from './fakes.js';

/** What submitSignal (and a batch of submissions) needs, on fakes, with the clock at `now`. */
export function submitSignalDeps(now = '2026-11-22T10:00:00Z') {
  return {
    signals: new InMemoryStateStore(),
    intake: new FakeIntakeQueue(),
    pseudonymizer: new FakePseudonymizer(),
    vault: new FakeVault(),
    now: fixedClock(now),
    newId: sequentialIds(),
  };
}

export type FakeSubmitSignalDeps = ReturnType<typeof submitSignalDeps>;
