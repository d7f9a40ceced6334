import { describe, expect, it, vi } from 'vitest';
import {
  type EscalateReferralsDeps,
  EscalationIncompleteError,
  escalateReferrals,
  municipalitiesOf,
  STOP_MARGIN_MS,
} from '../../../functions/escalate-referrals/escalate-referrals.js';
import type { StoredReferral } from '../../../functions/shared/model.js';
import { newReferral } from '../../../functions/shared/routing-plan.js';
import type { DeploymentConfig } from '../../../schemas/deployment-config.js';
import { type DeepPartial, storedReferral, storedSignal } from '../../helpers/factories.js';
import { HUB_CONFIG } from '../../helpers/fake-hub.js';
import { FakeTeamQueue, fixedClock, InMemoryStateStore } from '../../helpers/fakes.js';
import { captureLogs } from '../../helpers/log-capture.js';
import { rejection } from '../../helpers/rejection.js';

// The hourly escalation on the in-memory store and team queue: which referrals are past their goal
// without help started, the one notice per referral, the mark that keeps it from a second notice,
// and what a failure leaves for the next run.

const NOW = '2026-12-10T12:00:00.000Z';
/** Two weeks after the fake hub's usual receipt (2026-11-22T10:00Z): past by NOW. */
const PAST_DUE = '2026-12-06T10:00:00.000Z';
const PLENTY_OF_TIME = () => 300_000;

/** The fake hub's teams, plus one serving Lisse (0553) by configuration only, with no rule there. */
const CONFIG: DeploymentConfig = {
  ...HUB_CONFIG,
  teams: [
    ...HUB_CONFIG.teams,
    { id: 'jgt-lisse', name: 'JGT Lisse', kind: 'jgt', organisation: 'JGT DB', municipalities: ['0553'] },
  ],
};

const referralId = (n: number) => `7e1d9d5f-7a1b-4d64-8a2f-${String(n).padStart(12, '0')}`;

/** A referral of Amsterdam's pupil to jgt-amsterdam, waiting and due at PAST_DUE unless overridden. */
const waiting = (overrides: DeepPartial<StoredReferral> = {}) =>
  storedReferral({ clockStartAt: '2026-11-22T10:00:00.000Z', dueAt: PAST_DUE, ...overrides });

function setup(referrals: StoredReferral[], now = NOW, config = CONFIG) {
  const store = new InMemoryStateStore();
  for (const referral of referrals) store.putReferral(referral);
  const deps = {
    referrals: store,
    teams: new FakeTeamQueue(),
    config,
    deployment: config.deployment,
    now: fixedClock(now),
  } satisfies EscalateReferralsDeps;
  return { deps, store, teams: deps.teams };
}

const run = (deps: EscalateReferralsDeps, remainingMs: () => number = PLENTY_OF_TIME) =>
  escalateReferrals(deps, { remainingMs });

const stored = (store: InMemoryStateStore, id: string) => store.allReferrals().find((r) => r.id === id);

describe('escalateReferrals', () => {
  describe('a referral past its goal without help started', () => {
    it.each(['queued', 'delivered', 'accepted'] as const)(
      'tells the team once about a %s referral, with the overdue CloudEvent',
      async (status) => {
        const referral = waiting({ status });
        const { deps, teams } = setup([referral]);

        const summary = await run(deps);

        expect(summary).toEqual({ escalated: 1, skipped: 0, failed: 0, complete: true });
        expect(teams.published).toEqual([
          {
            teamId: 'jgt-amsterdam',
            event: {
              specversion: '1.0',
              id: `${referral.id}:overdue`,
              source: 'urn:schakel:demo',
              type: 'nl.schakel.referral.overdue.v1',
              subject: referral.id,
              time: NOW,
              datacontenttype: 'application/json',
              data: {
                referralId: referral.id,
                signalId: referral.signalId,
                teamId: 'jgt-amsterdam',
                municipality: '0363',
                requestType: 'referral',
                urgency: 'regular',
                concerns: ['absence', 'home-situation'],
                href: `/v1/referrals/${referral.id}`,
              },
            },
          },
        ]);
      },
    );

    it('marks the referral overdue as the system’s change, keeping its status and history', async () => {
      const referral = waiting({ status: 'delivered', version: 2 });
      const { deps, store } = setup([referral]);

      await run(deps);

      expect(store.allReferrals()).toEqual([
        {
          ...referral,
          overdueAt: NOW,
          version: 3,
          updatedAt: NOW,
          lastChange: {
            eventType: 'referral.overdue',
            at: NOW,
            actor: { clientId: 'schakel', role: 'system', organisation: 'Schakel' },
            onBehalfOf: { teamId: 'jgt-amsterdam' },
            details: { status: 'delivered', dueAt: PAST_DUE, urgency: 'regular' },
          },
        },
      ]);
    });

    it('sends nothing more on a second run, nor on one a day later', async () => {
      const referral = waiting();
      const { deps, store, teams } = setup([referral]);
      await run(deps);
      const marked = stored(store, referral.id);

      const second = await run(deps);
      const dayLater = await run({ ...deps, now: fixedClock('2026-12-11T12:00:00.000Z') });

      expect(second).toEqual({ escalated: 0, skipped: 0, failed: 0, complete: true });
      expect(dayLater).toEqual({ escalated: 0, skipped: 0, failed: 0, complete: true });
      expect(teams.published).toHaveLength(1);
      expect(stored(store, referral.id)).toEqual(marked);
    });

    it('tells each referral’s own team, for every municipality the hub serves', async () => {
      const amsterdam = waiting({ id: referralId(1) });
      const hillegom = waiting({ id: referralId(2), teamId: 'jgt-hillegom', municipality: '0534' });
      // Lisse has no routing rule: only its team's configuration names it.
      const lisse = waiting({ id: referralId(3), teamId: 'jgt-lisse', municipality: '0553' });
      const { deps, teams } = setup([amsterdam, hillegom, lisse]);

      const summary = await run(deps);

      expect(summary.escalated).toBe(3);
      expect(teams.published.map((p) => [p.teamId, p.event.id])).toEqual([
        ['jgt-amsterdam', `${amsterdam.id}:overdue`],
        ['jgt-hillegom', `${hillegom.id}:overdue`],
        ['jgt-lisse', `${lisse.id}:overdue`],
      ]);
    });

    it('escalates more than one page of due referrals in one run', async () => {
      const referrals = Array.from({ length: 101 }, (_, i) =>
        waiting({ id: referralId(i + 1), dueAt: new Date(Date.parse(PAST_DUE) + i * 1000).toISOString() }),
      );
      const { deps, store, teams } = setup(referrals);

      const summary = await run(deps);

      expect(summary).toEqual({ escalated: 101, skipped: 0, failed: 0, complete: true });
      expect(new Set(teams.published.map((p) => p.event.id)).size).toBe(101);
      expect(store.allReferrals().every((r) => r.overdueAt === NOW)).toBe(true);
    });
  });

  describe('leaves alone', () => {
    it.each(['started', 'closed', 'rejected', 'withdrawn'] as const)(
      'a %s referral past its goal',
      async (status) => {
        const referral = waiting({ status });
        const { deps, store, teams } = setup([referral]);

        const summary = await run(deps);

        expect(summary).toEqual({ escalated: 0, skipped: 0, failed: 0, complete: true });
        expect(teams.published).toEqual([]);
        expect(store.allReferrals()).toEqual([referral]);
      },
    );

    it.each([
      ['due exactly now', NOW],
      ['due in an hour', '2026-12-10T13:00:00.000Z'],
    ])('a referral %s', async (_case, dueAt) => {
      const referral = waiting({ dueAt });
      const { deps, store, teams } = setup([referral]);

      await run(deps);

      expect(teams.published).toEqual([]);
      expect(store.allReferrals()).toEqual([referral]);
    });

    it('no referral due one millisecond before now', async () => {
      const referral = waiting({ dueAt: '2026-12-10T11:59:59.999Z' });
      const { deps, teams } = setup([referral]);

      await run(deps);

      expect(teams.published.map((p) => p.event.id)).toEqual([`${referral.id}:overdue`]);
    });

    it.each<[string, DeepPartial<StoredReferral>]>([
      ['a consultation past the goal', { requestType: 'consultation' }],
      ['a referral stored without a goal', { dueAt: undefined, clockStartAt: undefined }],
    ])('%s', async (_case, overrides) => {
      const referral = waiting(overrides);
      const { deps, store, teams } = setup([referral]);

      const summary = await run(deps);

      expect(summary.escalated).toBe(0);
      expect(teams.published).toEqual([]);
      expect(store.allReferrals()).toEqual([referral]);
    });

    // The due index is eventually consistent: it may still list a referral that changed.
    it.each<[string, DeepPartial<StoredReferral>]>([
      ['started meanwhile', { status: 'started' }],
      ['rejected meanwhile', { status: 'rejected' }],
      ['marked overdue meanwhile by another run', { overdueAt: '2026-12-10T11:00:00.000Z' }],
      ['given a later goal meanwhile', { dueAt: '2026-12-20T10:00:00.000Z' }],
      ['a consultation', { requestType: 'consultation' }],
      ['without a goal', { dueAt: undefined }],
    ])('a referral the index lists but that is %s: skipped', async (_case, current) => {
      const listed = waiting({ status: 'accepted' });
      const now = waiting({ status: 'accepted', ...current });
      const { deps, store, teams } = setup([now]);
      vi.spyOn(store, 'dueReferrals').mockImplementation(async (municipality) =>
        municipality === '0363' ? [listed] : [],
      );

      const summary = await run(deps);

      expect(summary).toEqual({ escalated: 0, skipped: 1, failed: 0, complete: true });
      expect(teams.published).toEqual([]);
      expect(store.allReferrals()).toEqual([now]);
    });

    it('a referral the index lists but that no longer exists: skipped', async () => {
      const { deps, store, teams } = setup([]);
      vi.spyOn(store, 'dueReferrals').mockImplementation(async (municipality) =>
        municipality === '0363' ? [waiting()] : [],
      );

      const summary = await run(deps);

      expect(summary).toEqual({ escalated: 0, skipped: 1, failed: 0, complete: true });
      expect(teams.published).toEqual([]);
    });
  });

  describe('the goal set at creation', () => {
    // Two referrals whose clocks started at the same instant, one urgent and one regular, made as
    // routing makes them: the urgent one is due 5 days later, the regular one 14.
    const CLOCK_START = '2026-12-01T09:00:00.000Z';

    function routed(config: DeploymentConfig) {
      return (['urgent', 'regular'] as const).map((urgency, i) =>
        newReferral(
          config,
          storedSignal({ id: `5d0c8c4e-6f0a-4c53-9f1e-00000000000${i}`, urgency, clockStartAt: CLOCK_START }),
          { outcome: 'routed', teamId: 'jgt-amsterdam', ruleId: 'amsterdam', routedBy: 'rule' },
          { at: CLOCK_START, actor: { clientId: 'schakel', role: 'system', organisation: 'Schakel' } },
        ),
      );
    }

    it.each<[string, string, ('urgent' | 'regular')[]]>([
      ['exactly 5 days after the clock start', '2026-12-06T09:00:00.000Z', []],
      ['just over 5 days after it', '2026-12-06T09:00:00.001Z', ['urgent']],
      ['exactly 14 days after it', '2026-12-15T09:00:00.000Z', ['urgent']],
      ['just over 14 days after it', '2026-12-15T09:00:00.001Z', ['urgent', 'regular']],
    ])('escalates at %s: %j', async (_case, now, expected) => {
      const referrals = routed(CONFIG);
      const { deps, store } = setup(referrals, now);

      await run(deps);

      const overdue = store.allReferrals().filter((r) => r.overdueAt === now);
      expect(overdue.map((r) => r.urgency).sort()).toEqual([...expected].sort());
    });

    it('keeps the goal stored on the referral, whatever the configuration says now', async () => {
      const referrals = routed(CONFIG);
      const shorter = { ...CONFIG, leadTimes: { regularDays: 1, urgentDays: 1 } };
      const { deps, teams } = setup(referrals, '2026-12-03T09:00:00.000Z', shorter);

      await run(deps);

      expect(teams.published).toEqual([]);
    });

    it('takes the municipality’s own goals when the referral is made', async () => {
      const config = {
        ...CONFIG,
        leadTimes: { municipalities: { '0363': { urgentDays: 2, regularDays: 7 } } },
      };
      const referrals = routed(config);
      const { deps, store } = setup(referrals, '2026-12-08T09:00:00.001Z', config);

      await run(deps);

      expect(referrals.map((r) => r.dueAt)).toEqual(['2026-12-03T09:00:00.000Z', '2026-12-08T09:00:00.000Z']);
      expect(store.allReferrals().filter((r) => r.overdueAt)).toHaveLength(2);
    });
  });

  describe('a failure', () => {
    const first = waiting({ id: referralId(1), dueAt: '2026-12-05T10:00:00.000Z' });
    const second = waiting({ id: referralId(2), dueAt: '2026-12-06T10:00:00.000Z' });

    it('to notify a team leaves that referral unmarked and handles the others, then fails the run', async () => {
      const { deps, store, teams } = setup([first, second]);
      teams.failNext();

      const error = await rejection(run(deps));

      expect(error).toBeInstanceOf(EscalationIncompleteError);
      expect(error.message).toBe('1 overdue referrals left for the next run');
      expect(stored(store, first.id)).toEqual(first);
      expect(stored(store, second.id)).toMatchObject({ overdueAt: NOW, version: 2 });
      expect(teams.published.map((p) => p.event.id)).toEqual([`${second.id}:overdue`]);
    });

    it('to notify a team leaves the referral due for the next run, which sends its notice', async () => {
      const { deps, store, teams } = setup([first, second]);
      teams.failNext();
      await rejection(run(deps));

      const next = await run(deps);

      expect(next).toEqual({ escalated: 1, skipped: 0, failed: 0, complete: true });
      expect(stored(store, first.id)).toMatchObject({ overdueAt: NOW, version: 2 });
      expect(teams.published.map((p) => p.event.id)).toEqual([`${second.id}:overdue`, `${first.id}:overdue`]);
    });

    it('to mark the referral after its notice sends the same notice again on the next run', async () => {
      const { deps, store, teams } = setup([first]);
      store.failNext('commit');

      const error = await rejection(run(deps));
      await run(deps);

      expect(error).toBeInstanceOf(EscalationIncompleteError);
      expect(teams.published.map((p) => p.event.id)).toEqual([`${first.id}:overdue`, `${first.id}:overdue`]);
      expect(stored(store, first.id)).toMatchObject({ overdueAt: NOW, version: 2 });
    });

    it('to read the referral counts as failed and leaves it for the next run', async () => {
      const { deps, store, teams } = setup([first, second]);
      store.failNext('getReferral');

      const error = await rejection(run(deps));

      expect(error).toBeInstanceOf(EscalationIncompleteError);
      expect(stored(store, first.id)).toEqual(first);
      expect(teams.published.map((p) => p.event.id)).toEqual([`${second.id}:overdue`]);
    });

    it('is no failure when the team started the referral between read and mark: skipped', async () => {
      const { deps, store } = setup([first]);
      store.beforeNextWrite(() => store.putReferral({ ...first, status: 'started', version: 2 }));

      const summary = await run(deps);

      expect(summary).toEqual({ escalated: 0, skipped: 1, failed: 0, complete: true });
      expect(stored(store, first.id)).toMatchObject({ status: 'started', version: 2 });
      expect(stored(store, first.id)).not.toHaveProperty('overdueAt');
    });
  });

  describe('running out of time', () => {
    it('starts nothing with less than the stop margin left, and says the run is not complete', async () => {
      const { deps, store, teams } = setup([waiting()]);

      const summary = await run(deps, () => STOP_MARGIN_MS - 1);

      expect(summary).toEqual({ escalated: 0, skipped: 0, failed: 0, complete: false });
      expect(teams.published).toEqual([]);
      expect(store.allReferrals()[0]).not.toHaveProperty('overdueAt');
    });

    it('goes on with exactly the stop margin left', async () => {
      const { deps } = setup([waiting()]);

      const summary = await run(deps, () => STOP_MARGIN_MS);

      expect(summary).toEqual({ escalated: 1, skipped: 0, failed: 0, complete: true });
    });

    it('stops between municipalities and leaves the rest for the next run', async () => {
      const amsterdam = waiting({ id: referralId(1) });
      const hillegom = waiting({ id: referralId(2), teamId: 'jgt-hillegom', municipality: '0534' });
      const { deps, store } = setup([amsterdam, hillegom]);
      const remainingMs = vi.fn<() => number>().mockReturnValueOnce(60_000).mockReturnValue(5_000);

      const summary = await run(deps, remainingMs);
      const next = await run(deps);

      expect(summary).toEqual({ escalated: 1, skipped: 0, failed: 0, complete: false });
      expect(next).toEqual({ escalated: 1, skipped: 0, failed: 0, complete: true });
      expect(store.allReferrals().every((r) => r.overdueAt === NOW)).toBe(true);
    });
  });

  describe('logs', () => {
    const logs = captureLogs();

    it('each escalation, each failure and the run’s counts', async () => {
      const first = waiting({ id: referralId(1), dueAt: '2026-12-05T10:00:00.000Z' });
      const second = waiting({ id: referralId(2), status: 'accepted' });
      const { deps, teams } = setup([first, second]);
      teams.failNext();

      await rejection(run(deps));

      expect(logs.lines()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            event: 'batch_item_failed',
            level: 'ERROR',
            operationId: 'escalateReferrals',
            referralId: first.id,
            errorName: 'QueueDoesNotExist',
          }),
          expect.objectContaining({
            event: 'referral_overdue',
            referralId: second.id,
            teamId: 'jgt-amsterdam',
            // The dimension of the ReferralsOverdue metric.
            municipality: '0363',
            status: 'accepted',
          }),
          expect.objectContaining({
            event: 'escalation_completed',
            escalated: 1,
            skipped: 0,
            failed: 1,
            complete: true,
          }),
        ]),
      );
    });
  });
});

describe('municipalitiesOf', () => {
  it('lists the municipalities of the routing rules, sorted', () => {
    expect(municipalitiesOf(HUB_CONFIG)).toEqual(['0363', '0534']);
  });

  it('includes those teams serve by configuration, once each', () => {
    const config: DeploymentConfig = {
      ...HUB_CONFIG,
      teams: [
        ...HUB_CONFIG.teams,
        {
          id: 'jgt-lisse',
          name: 'JGT Lisse',
          kind: 'jgt',
          organisation: 'JGT DB',
          municipalities: ['0553', '0363'],
        },
        { id: 'jgt-oost', name: 'JGT Oost', kind: 'jgt', organisation: 'OKT', municipalities: ['0363'] },
      ],
      routingRules: [
        ...HUB_CONFIG.routingRules,
        { id: 'amsterdam-oost', municipality: '0363', teamId: 'jgt-oost' },
      ],
    };

    expect(municipalitiesOf(config)).toEqual(['0363', '0534', '0553']);
  });

  it('lists a municipality only a team’s configuration names when there are no rules at all', () => {
    const config: DeploymentConfig = {
      ...HUB_CONFIG,
      routingRules: [],
      teams: [
        { id: 'jgt-lisse', name: 'JGT Lisse', kind: 'jgt', organisation: 'JGT DB', municipalities: ['0553'] },
      ],
    };

    expect(municipalitiesOf(config)).toEqual(['0553']);
  });
});

describe('escalateReferrals: failures never hide the referrals after them', () => {
  /** `count` due referrals of 0363, each a minute later than the one before. */
  const many = (count: number) =>
    Array.from({ length: count }, (_, i) =>
      waiting({ id: referralId(1000 + i), dueAt: new Date(Date.parse(PAST_DUE) + i * 60_000).toISOString() }),
    );

  it('handles every due referral when one fails, and reports the run incomplete', async () => {
    const referrals = many(201);
    const { deps, store, teams } = setup(referrals);
    teams.failNext();

    const error = await rejection(run(deps));

    expect(error).toBeInstanceOf(EscalationIncompleteError);
    expect(store.allReferrals().filter((r) => r.overdueAt).length).toBe(200);
    expect(stored(store, referralId(1000))?.overdueAt).toBeUndefined();
    expect(stored(store, referralId(1200))?.overdueAt).toBe(NOW);
  });

  it('escalates the referral after a full page of failing ones', async () => {
    const referrals = many(101);
    const { deps, store, teams } = setup(referrals);
    teams.failNext(undefined, 100);

    await rejection(run(deps));

    expect(stored(store, referralId(1100))?.overdueAt).toBe(NOW);
    expect(store.allReferrals().filter((r) => r.overdueAt)).toHaveLength(1);
  });
});

describe('escalateReferrals: the instant of an escalation', () => {
  it('marks a referral made while the run was under way at the moment it escalates it, never before it existed', async () => {
    const runStart = '2026-12-10T12:00:00.000Z';
    const made = '2026-12-10T12:00:00.500Z';
    const escalatedAt = '2026-12-10T12:00:01.000Z';
    const referral = waiting({ createdAt: made, updatedAt: made });
    const { deps, store } = setup([referral]);
    const instants = [runStart, escalatedAt];
    deps.now = () => new Date(instants.length > 1 ? (instants.shift() as string) : (instants[0] as string));

    await run(deps);

    expect(stored(store, referral.id)).toMatchObject({
      overdueAt: escalatedAt,
      updatedAt: escalatedAt,
      lastChange: { eventType: 'referral.overdue', at: escalatedAt },
    });
  });
});

describe('escalateReferrals: a team’s step between the read and the mark', () => {
  it('marks what is stored then, so the notice is sent once and not again the next hour', async () => {
    const referral = waiting({ status: 'queued', version: 2 });
    const { deps, store, teams } = setup([referral]);
    store.beforeNextWrite(() => store.putReferral({ ...referral, status: 'delivered', version: 3 }));

    const first = await run(deps);
    const second = await run(deps);

    expect(first.escalated).toBe(1);
    expect(second.escalated).toBe(0);
    expect(teams.published.map((p) => p.event.id)).toEqual([`${referral.id}:overdue`]);
    expect(stored(store, referral.id)).toMatchObject({ status: 'delivered', overdueAt: NOW, version: 4 });
  });

  it('leaves a referral that started meanwhile unmarked', async () => {
    const referral = waiting({ status: 'accepted', version: 3 });
    const { deps, store } = setup([referral]);
    store.beforeNextWrite(() => store.putReferral({ ...referral, status: 'started', version: 4 }));

    const summary = await run(deps);

    expect(summary).toMatchObject({ escalated: 0, skipped: 1 });
    expect(stored(store, referral.id)).not.toHaveProperty('overdueAt');
  });
});
