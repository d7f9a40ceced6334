import { describe, expect, it } from 'vitest';
import {
  clockStart,
  DEFAULT_GOAL_DAYS,
  dueAt,
  dutchDayStart,
  dutchMonth,
  goalDays,
  type LeadTimeFacts,
  leadTimeGroups,
  spread,
} from '../../../domain/lead-times.js';

const DAY = 86_400_000;
const at = (start: string, days: number) => new Date(Date.parse(start) + days * DAY).toISOString();

describe('dutchDayStart', () => {
  it.each([
    ['2026-01-15', '2026-01-14T23:00:00.000Z'],
    ['2026-07-15', '2026-07-14T22:00:00.000Z'],
    // The days the clocks change: midnight is still on the old offset.
    ['2026-03-29', '2026-03-28T23:00:00.000Z'],
    ['2026-10-25', '2026-10-24T22:00:00.000Z'],
  ])('puts midnight of %s in Amsterdam at %s', (date, instant) => {
    expect(dutchDayStart(date).toISOString()).toBe(instant);
  });

  it('refuses what is not a calendar date', () => {
    expect(() => dutchDayStart('2026-02-30')).toThrow(RangeError);
  });
});

describe('dutchMonth', () => {
  it('counts the last evening of a month in UTC as the next month in Amsterdam', () => {
    expect(dutchMonth('2026-01-31T23:30:00.000Z')).toBe('2026-02');
    expect(dutchMonth('2026-01-31T22:30:00.000Z')).toBe('2026-01');
  });
});

describe('clockStart', () => {
  it('starts at receipt without a care-team discussion', () => {
    expect(clockStart({ receivedAt: '2026-11-22T10:00:00.000Z' })).toBe('2026-11-22T10:00:00.000Z');
  });

  it('starts at midnight of the discussion day', () => {
    expect(clockStart({ receivedAt: '2026-11-22T10:00:00.000Z', discussedInCareTeamOn: '2026-11-18' })).toBe(
      '2026-11-17T23:00:00.000Z',
    );
  });

  it('never starts after the receipt (a discussion the same day is at midnight, before it)', () => {
    expect(clockStart({ receivedAt: '2026-11-22T00:30:00.000Z', discussedInCareTeamOn: '2026-11-22' })).toBe(
      '2026-11-21T23:00:00.000Z',
    );
  });
});

describe('goalDays', () => {
  it('defaults to 14 days, 5 when urgent', () => {
    expect(goalDays(undefined, '0363', 'regular')).toBe(14);
    expect(goalDays(undefined, '0363', 'urgent')).toBe(5);
    expect(DEFAULT_GOAL_DAYS).toEqual({ regular: 14, urgent: 5 });
  });

  it('takes the municipality’s own goal, else the deployment’s', () => {
    const goals = { regularDays: 10, municipalities: { '0363': { urgentDays: 2 } } };

    expect(goalDays(goals, '0363', 'urgent')).toBe(2);
    expect(goalDays(goals, '0363', 'regular')).toBe(10);
    expect(goalDays(goals, '0534', 'urgent')).toBe(5);
  });

  it('puts the due instant the goal’s days after the clock start', () => {
    expect(dueAt('2026-11-17T23:00:00.000Z', 14)).toBe('2026-12-01T23:00:00.000Z');
  });

  it.each([
    // Summer time ends on 25 October: 14 days after midnight of 20 October is midnight of 3 November.
    ['2026-10-19T22:00:00.000Z', 14, '2026-11-02T23:00:00.000Z'],
    // Summer time starts on 29 March.
    ['2026-03-19T23:00:00.000Z', 14, '2026-04-02T22:00:00.000Z'],
    // A receipt at 10:15 in winter, due at 10:15 in summer.
    ['2026-03-20T09:15:00.000Z', 14, '2026-04-03T08:15:00.000Z'],
  ])('counts calendar days across a change of the clocks: %s + %i days is %s', (start, days, due) => {
    expect(dueAt(start, days)).toBe(due);
  });
});

describe('spread', () => {
  it('has no figures for no values', () => {
    expect(spread([])).toEqual({ medianDays: null, p90Days: null });
  });

  it('takes the mean of the middle two for an even count and the nearest rank for p90', () => {
    // 1..10 days: median (5 + 6) / 2, p90 the 9th value.
    expect(spread([10, 3, 1, 2, 4, 5, 6, 7, 8, 9].map((d) => d * DAY))).toEqual({
      medianDays: 5.5,
      p90Days: 9,
    });
  });

  it('rounds to one decimal', () => {
    expect(spread([1.26 * DAY])).toEqual({ medianDays: 1.3, p90Days: 1.3 });
  });
});

describe('leadTimeGroups', () => {
  const START = '2026-03-01T23:00:00.000Z';
  function facts(overrides: Partial<LeadTimeFacts> & { accepted?: number; started?: number }): LeadTimeFacts {
    const { accepted, started, ...rest } = overrides;
    const clock = rest.clockStartAt ?? START;
    const history = [
      { status: 'queued' as const, at: clock },
      ...(accepted !== undefined ? [{ status: 'accepted' as const, at: at(clock, accepted) }] : []),
      ...(started !== undefined ? [{ status: 'started' as const, at: at(clock, started) }] : []),
    ];
    return {
      teamId: 'jgt-a',
      schoolLocation: '12AB00',
      concerns: ['absence'],
      clockStartAt: clock,
      dueAt: at(clock, 14),
      status: started !== undefined ? 'started' : accepted !== undefined ? 'accepted' : 'queued',
      history,
      ...rest,
    };
  }
  const NOW = new Date(at(START, 30));

  it('computes the figures per team as counted by hand', () => {
    const referrals = [
      facts({ accepted: 2, started: 10 }),
      facts({ accepted: 4, started: 12 }),
      facts({ accepted: 1, started: 20 }), // late
      facts({ accepted: 3 }), // accepted, never started: overdue at day 30
      facts({ status: 'rejected', history: [{ status: 'rejected', at: at(START, 1) }] }),
      facts({ teamId: 'jgt-b', clockStartAt: at(START, 25) }), // waiting, not yet due
    ];

    const groups = leadTimeGroups(referrals, 'team', NOW);

    expect(groups).toEqual([
      {
        key: 'jgt-a',
        count: 5,
        // accepted after 1, 2, 3, 4 days: median 2.5, p90 the 4th of 4.
        toAccepted: { medianDays: 2.5, p90Days: 4 },
        // started after 10, 12, 20 days; within the goal: 2 of 3 started + 1 overdue = 2/4.
        toStarted: { medianDays: 12, p90Days: 20, withinGoal: 0.5 },
        open: 1,
        overdue: 1,
        afterConsultation: 0,
      },
      {
        key: 'jgt-b',
        count: 1,
        toAccepted: { medianDays: null, p90Days: null },
        toStarted: { medianDays: null, p90Days: null, withinGoal: null },
        open: 1,
        overdue: 0,
        afterConsultation: 0,
      },
    ]);
  });

  it('counts a referral in each of its concerns', () => {
    const groups = leadTimeGroups(
      [facts({ concerns: ['absence', 'safety'], started: 3 }), facts({ concerns: ['safety'], started: 5 })],
      'concern',
      NOW,
    );

    expect(groups.map((g) => [g.key, g.count, g.toStarted.medianDays])).toEqual([
      ['absence', 1, 3],
      ['safety', 2, 4],
    ]);
  });

  it('groups by the month the clock started on the Dutch calendar, and by school location', () => {
    const referrals = [
      facts({ clockStartAt: '2026-01-31T23:30:00.000Z', started: 1 }),
      facts({ clockStartAt: '2026-01-31T22:30:00.000Z', schoolLocation: undefined, started: 1 }),
    ];

    expect(leadTimeGroups(referrals, 'month', NOW).map((g) => g.key)).toEqual(['2026-01', '2026-02']);
    expect(leadTimeGroups(referrals, 'school', NOW).map((g) => g.key)).toEqual(['12AB00', 'unknown']);
  });

  it('counts the referrals that followed a consultation of the same school', () => {
    const [group] = leadTimeGroups(
      [facts({ followsConsultation: true, started: 2 }), facts({ started: 4 })],
      'team',
      NOW,
    );

    expect(group).toMatchObject({ count: 2, afterConsultation: 1 });
  });

  it('counts a referral still waiting exactly at its due instant as open, not yet overdue', () => {
    const [group] = leadTimeGroups([facts({})], 'team', new Date(at(START, 14)));

    expect(group).toMatchObject({ open: 1, overdue: 0 });
    expect(group?.toStarted.withinGoal).toBeNull();
  });

  it('counts a start exactly at the due instant as within the goal', () => {
    const [group] = leadTimeGroups([facts({ started: 14 })], 'team', NOW);

    expect(group?.toStarted.withinGoal).toBe(1);
  });
});
