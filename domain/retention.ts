import { isTerminal, type ReferralStatus } from './referral-state.js';
import type { SignalStatus } from './vocabulary.js';

// How long Schakel keeps what (design brief, "Retention"): a signal's pupil data until a set time
// after the signal has no open referral left, and never longer than the Verwijsindex's maximum
// after receipt; audit events a number of years (NEN 7513 practice), removed per whole calendar
// year. Calendar arithmetic is in UTC, like every stored instant.

export interface RetentionPeriods {
  /** Months after the last referral ended (or the signal ended without one) that pupil data is kept. */
  pupilDataMonthsAfterClose: number;
  /** Years after receipt after which pupil data goes in any case, open referral or not. */
  pupilDataMaxYears: number;
  /** Whole calendar years of audit events kept after the year they were recorded in. */
  auditYears: number;
}

export const DEFAULT_RETENTION: RetentionPeriods = {
  pupilDataMonthsAfterClose: 6,
  // The Verwijsindex (Jeugdwet 7.1.3.1) keeps a signal at most two years.
  pupilDataMaxYears: 2,
  // NEN 7513 leaves the term to the controller; five years is the practice in youth care and health.
  auditYears: 5,
};

export type PurgeReason = 'closed-period' | 'maximum-age';

export interface PurgeDue {
  at: Date;
  reason: PurgeReason;
}

/** What the rules read of a signal and its referrals: statuses and instants, no pupil data. */
export interface RetentionSubject {
  status: SignalStatus;
  receivedAt: string;
  updatedAt: string;
  referrals: readonly {
    status: ReferralStatus;
    updatedAt: string;
    history: readonly { status: ReferralStatus; at: string }[];
  }[];
}

/**
 * `at` plus whole calendar months in UTC; a day the target month lacks becomes its last day
 * (31 August + 6 months = 28 or 29 February), so a period never ends later than the calendar says.
 */
export function addCalendarMonths(at: Date, months: number): Date {
  const target = new Date(at.getTime());
  const day = at.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** When a referral ended: its terminal history entry (the last one), else its last update. */
function endedAt(referral: RetentionSubject['referrals'][number]): number {
  const ending = referral.history.findLast((entry) => isTerminal(entry.status));
  return Date.parse(ending?.at ?? referral.updatedAt);
}

/**
 * When the signal stopped needing its pupil data: undefined while a referral is open, or while a
 * signal without referrals still waits to be routed. A signal that is unroutable or withdrawn
 * counts from its last update (the moment it got that status), a routed one from the moment its
 * last referral ended.
 */
export function closedAt(subject: RetentionSubject): Date | undefined {
  if (subject.referrals.some((r) => !isTerminal(r.status))) return undefined;
  const signalEnded = subject.status === 'unroutable' || subject.status === 'withdrawn';
  if (subject.referrals.length === 0) return signalEnded ? new Date(subject.updatedAt) : undefined;
  // A signal whose referrals all ended but which is being routed again (after a rejection) is open.
  if (subject.status === 'received') return undefined;
  const ended = subject.referrals.map(endedAt);
  if (signalEnded) ended.push(Date.parse(subject.updatedAt));
  return new Date(Math.max(...ended));
}

/**
 * When the signal's pupil data must go, and why: `pupilDataMonthsAfterClose` after it closed, but
 * never later than `pupilDataMaxYears` after receipt — an open referral does not hold it longer.
 */
export function pupilDataPurgeDue(subject: RetentionSubject, periods: RetentionPeriods): PurgeDue {
  const maximum = addCalendarMonths(new Date(subject.receivedAt), 12 * periods.pupilDataMaxYears);
  const closed = closedAt(subject);
  if (closed) {
    const afterClose = addCalendarMonths(closed, periods.pupilDataMonthsAfterClose);
    if (afterClose.getTime() < maximum.getTime()) return { at: afterClose, reason: 'closed-period' };
  }
  return { at: maximum, reason: 'maximum-age' };
}

/** Due at the instant itself: the period has run at `due.at`. */
export function isPurgeDue(due: PurgeDue, now: Date): boolean {
  return now.getTime() >= due.at.getTime();
}

/**
 * The earliest receipt of a signal whose pupil data can be due at `now`: a signal closes no earlier
 * than it was received, so one received later than this is not due yet (a filter for the search).
 */
export function earliestPossiblyDue(now: Date, periods: RetentionPeriods): Date {
  const months = Math.min(periods.pupilDataMonthsAfterClose, 12 * periods.pupilDataMaxYears);
  // A month-end receipt reaches its due date up to three days "early" (31 August + 6 months is 28
  // February): the margin keeps such signals in the search, and the rules above decide.
  return new Date(addCalendarMonths(now, -months).getTime() + 4 * DAY_MS);
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The last calendar year whose audit events may be removed at `now`: year Y goes once 1 January of
 * Y + 1 + `auditYears` has begun (UTC), so every event is kept at least `auditYears` full years.
 */
export function lastRemovableAuditYear(now: Date, auditYears: number): number {
  return now.getUTCFullYear() - 1 - auditYears;
}

/** The first instant of a calendar year (UTC): the end of the year before it. */
export function startOfYear(year: number): string {
  return new Date(Date.UTC(year, 0, 1)).toISOString();
}
