import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RETENTION } from '../../../domain/retention.js';
import {
  type ApplyRetentionDeps,
  RetentionIncompleteError,
  STOP_MARGIN_MS,
} from '../../../functions/apply-retention/apply-retention.js';
import { makeHandler } from '../../../functions/apply-retention/handler.js';
import { logger } from '../../../functions/shared/logger.js';
import type { AuditRetention } from '../../../functions/shared/ports/audit-retention.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { FakeAuditLog, fixedClock, InMemoryStateStore } from '../../helpers/fakes.js';

// The scheduled handler on fakes: it runs until the invocation's time is nearly up, reports what it
// left, fails the invocation when an item failed (after doing the rest), and logs counts only.

const NOW = '2027-06-01T15:00:00.000Z';

/** No audit chains: these tests are about the run, the audit removal has its integration tests. */
const noChains: AuditRetention = {
  listChains: async () => [],
  readCheckpoint: async () => undefined,
  oldestYear: async () => undefined,
  writeCheckpoint: async () => undefined,
  removeThrough: async () => ({ removed: 0, complete: true }),
};

function deps(): ApplyRetentionDeps & { signals: InMemoryStateStore } {
  const store = new InMemoryStateStore();
  const referral = storedReferral({
    status: 'closed',
    history: [
      { status: 'queued', at: '2026-11-22T10:00:05.000Z' },
      { status: 'closed', at: '2026-11-30T10:00:00.000Z' },
    ],
  });
  store.putSignal(storedSignal({ status: 'routed', referralIds: [referral.id] }));
  store.putReferral(referral);
  return {
    signals: store,
    candidates: { signalIds: async () => store.allSignals().map((s) => s.id) },
    audit: new FakeAuditLog(),
    auditRetention: noChains,
    periods: DEFAULT_RETENTION,
    now: fixedClock(NOW),
  };
}

function context(remainingMs: number): Context {
  return { getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

const scheduledEvent = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('apply-retention handler', () => {
  it('purges what is due while time is left', async () => {
    const d = deps();

    const run = await makeHandler(d)(scheduledEvent, context(14 * 60_000));

    expect(run).toMatchObject({ complete: true, pupilData: { purgedSignals: 1, purgedReferrals: 1 } });
    expect(d.signals.allSignals()[0]).not.toHaveProperty('sealedSubmission');
  });

  it('leaves everything for the next run when less than the stop margin is left', async () => {
    const d = deps();

    const run = await makeHandler(d)(scheduledEvent, context(STOP_MARGIN_MS - 1));

    expect(run).toMatchObject({ complete: false, pupilData: { deferred: 1, purgedSignals: 0 } });
    expect(d.signals.writes).toEqual([]);
  });

  it('fails the invocation after the rest is done when a signal failed', async () => {
    const d = deps();
    d.signals.failNext('getSignalWithReferrals');

    await expect(makeHandler(d)(scheduledEvent, context(14 * 60_000))).rejects.toThrow(
      RetentionIncompleteError,
    );
  });

  it('logs one line of counts, with no id of a signal or a pupil', async () => {
    const d = deps();
    const info = vi.spyOn(logger, 'info');

    await makeHandler(d)(scheduledEvent, context(14 * 60_000));

    const lines = info.mock.calls.map(([line]) => line as unknown as Record<string, unknown>);
    const applied = lines.filter((l) => l.event === 'retention_applied');
    expect(applied).toEqual([
      expect.objectContaining({
        complete: true,
        pupilDataCandidates: 1,
        pupilDataPurgedSignals: 1,
        auditTrailChains: 0,
      }),
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(storedSignal().id);
    expect(text).not.toContain(String(storedSignal().pupilPseudonym));
  });
});
