// Lead times (doorlooptijden) against the two-week goal of the practice the hub serves: after the
// school's care team (ZAT) discussed a pupil, help starts within two weeks. The clock starts on
// the day of that discussion when the school gives it, else when the hub received the signal;
// the team's `started` stops it. The goal is set per municipality (default 14 days) and is
// shorter for an urgent signal.

import type { ReferralStatus } from './referral-state.js';
import type { Concern, Urgency } from './vocabulary.js';

export const DEFAULT_GOAL_DAYS = { regular: 14, urgent: 5 } as const;

export interface LeadTimeGoals {
  regularDays?: number | undefined;
  urgentDays?: number | undefined;
  /** Per municipality code: its own goals, each falling back to the deployment's. */
  municipalities?: Record<string, { regularDays?: number | undefined; urgentDays?: number | undefined }>;
}

export const GROUP_BY = ['team', 'school', 'concern', 'month'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** Waiting for help: the referral is open and has not started. Escalation looks at these. */
export const WAITING_STATUSES: ReadonlySet<ReferralStatus> = new Set(['queued', 'delivered', 'accepted']);

const DAY_MS = 24 * 3600 * 1000;

const DUTCH_CLOCK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  hourCycle: 'h23',
});

function dutchParts(at: Date): { date: string; hour: number } {
  const parts = Object.fromEntries(DUTCH_CLOCK.formatToParts(at).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}

/**
 * Midnight in Amsterdam at the start of `date` (YYYY-MM-DD), as an instant. The clocks in the
 * Netherlands change at 02:00 and 03:00, so midnight is always either UTC+1 or UTC+2.
 */
export function dutchDayStart(date: string): Date {
  for (const offset of ['+01:00', '+02:00']) {
    const at = new Date(`${date}T00:00:00${offset}`);
    const parts = dutchParts(at);
    if (parts.date === date && parts.hour === 0) return at;
  }
  throw new RangeError(`not a calendar date: ${date}`);
}

const MONTH_OF_HOUR = new Map<string, string>();

/**
 * The month (YYYY-MM) an instant falls in on the Dutch calendar. Amsterdam's offset is whole hours,
 * so every instant of one UTC hour is in the same Dutch month: one formatting per hour, kept (a
 * lead-time answer groups up to 100,000 referrals).
 */
export function dutchMonth(at: string): string {
  const hour = new Date(at).toISOString().slice(0, 13);
  let month = MONTH_OF_HOUR.get(hour);
  if (month === undefined) {
    month = dutchParts(new Date(`${hour}:00:00.000Z`)).date.slice(0, 7);
    if (MONTH_OF_HOUR.size > 100_000) MONTH_OF_HOUR.clear();
    MONTH_OF_HOUR.set(hour, month);
  }
  return month;
}

/** When the two-week clock starts: the care team's discussion day, else the receipt. */
export function clockStart(signal: {
  discussedInCareTeamOn?: string | undefined;
  receivedAt: string;
}): string {
  if (!signal.discussedInCareTeamOn) return signal.receivedAt;
  const discussed = dutchDayStart(signal.discussedInCareTeamOn).getTime();
  // A discussion "today" must not start the clock after the receipt it came before.
  return new Date(Math.min(discussed, Date.parse(signal.receivedAt))).toISOString();
}

export function goalDays(goals: LeadTimeGoals | undefined, municipality: string, urgency: Urgency): number {
  const own = goals?.municipalities?.[municipality];
  if (urgency === 'urgent') return own?.urgentDays ?? goals?.urgentDays ?? DEFAULT_GOAL_DAYS.urgent;
  return own?.regularDays ?? goals?.regularDays ?? DEFAULT_GOAL_DAYS.regular;
}

/**
 * The instant help should have started by: `days` calendar days after the clock start, at the
 * same time of day in Amsterdam (14 days after a discussion day is midnight again, also across a
 * change of the clocks, which 14 × 24 hours would miss by an hour).
 */
export function dueAt(clockStartAt: string, days: number): string {
  const start = new Date(clockStartAt);
  const day = dutchParts(start).date;
  const sinceMidnight = start.getTime() - dutchDayStart(day).getTime();
  const later = new Date(`${day}T00:00:00Z`);
  later.setUTCDate(later.getUTCDate() + days);
  return new Date(dutchDayStart(later.toISOString().slice(0, 10)).getTime() + sinceMidnight).toISOString();
}

/** What the figures need of one referral; never pupil data. */
export interface LeadTimeFacts {
  teamId: string;
  schoolLocation?: string | undefined;
  concerns: readonly Concern[];
  clockStartAt: string;
  dueAt: string;
  status: ReferralStatus;
  history: readonly { status: ReferralStatus; at: string }[];
  /** Whether the referral follows a consultation of the same school. */
  followsConsultation?: boolean | undefined;
}

export interface Spread {
  medianDays: number | null;
  p90Days: number | null;
}

export interface LeadTimeGroup {
  key: string;
  count: number;
  toAccepted: Spread;
  toStarted: Spread & { withinGoal: number | null };
  open: number;
  overdue: number;
  /** Referrals that followed a consultation of the same school. */
  afterConsultation: number;
}

/** Days with one decimal: finer than that suggests a precision the practice does not have. */
const roundDays = (ms: number) => Math.round((ms / DAY_MS) * 10) / 10;

/** The median (mean of the middle two for an even count) and the 90th percentile (nearest rank). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { medianDays: null, p90Days: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const p90 = sorted[Math.ceil(0.9 * sorted.length) - 1] as number;
  return { medianDays: roundDays(median), p90Days: roundDays(p90) };
}

function keysOf(facts: LeadTimeFacts, groupBy: GroupBy): string[] {
  switch (groupBy) {
    case 'team':
      return [facts.teamId];
    case 'school':
      return [facts.schoolLocation ?? 'unknown'];
    // A referral about two concerns counts in both groups: the groups then add up to more than
    // the total, which is what "per concern" means.
    case 'concern':
      return facts.concerns.length ? [...new Set(facts.concerns)] : ['none'];
    case 'month':
      return [dutchMonth(facts.clockStartAt)];
  }
}

const firstAt = (facts: LeadTimeFacts, status: ReferralStatus) =>
  facts.history.find((h) => h.status === status)?.at;

/**
 * The figures per group. Per referral, from the clock start of its signal: days to `accepted` and
 * to `started`, over the referrals that got there. `withinGoal` is the share of referrals whose
 * outcome against the goal is known — started, or still waiting past the goal — that started in
 * time; a referral that ended without starting (rejected, withdrawn) is in `count` only. `open`
 * counts referrals waiting to start; `overdue` those of them past the goal at `now`.
 */
export function leadTimeGroups(
  referrals: readonly LeadTimeFacts[],
  groupBy: GroupBy,
  now: Date,
): LeadTimeGroup[] {
  const groups = new Map<string, LeadTimeFacts[]>();
  for (const facts of referrals) {
    for (const key of keysOf(facts, groupBy)) {
      const members = groups.get(key) ?? [];
      members.push(facts);
      groups.set(key, members);
    }
  }
  const nowIso = now.toISOString();
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, members]) => {
      const toAccepted: number[] = [];
      const toStarted: number[] = [];
      let decided = 0;
      let inTime = 0;
      let open = 0;
      let overdue = 0;
      for (const facts of members) {
        const start = Date.parse(facts.clockStartAt);
        const acceptedAt = firstAt(facts, 'accepted');
        const startedAt = firstAt(facts, 'started');
        if (acceptedAt) toAccepted.push(Date.parse(acceptedAt) - start);
        if (startedAt) {
          toStarted.push(Date.parse(startedAt) - start);
          decided++;
          if (startedAt <= facts.dueAt) inTime++;
        } else if (WAITING_STATUSES.has(facts.status)) {
          open++;
          if (nowIso > facts.dueAt) {
            overdue++;
            decided++;
          }
        }
      }
      return {
        key,
        count: members.length,
        toAccepted: spread(toAccepted),
        toStarted: {
          ...spread(toStarted),
          withinGoal: decided ? Math.round((inTime / decided) * 1000) / 1000 : null,
        },
        open,
        overdue,
        afterConsultation: members.filter((facts) => facts.followsConsultation).length,
      };
    });
}
