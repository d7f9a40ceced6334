import { describe, expect, it } from 'vitest';
import type { ReferralStatus } from '../../../domain/referral-state.js';
import {
  addCalendarMonths,
  closedAt,
  DEFAULT_RETENTION,
  earliestPossiblyDue,
  isPurgeDue,
  lastRemovableAuditYear,
  pupilDataPurgeDue,
  type RetentionSubject,
  startOfYear,
} from '../../../domain/retention.js';

// The retention rules of the design brief, on a fake clock: pupil data goes six months after the
// signal has no open referral left, and two years after receipt in any case; audit events go per
// calendar year once five full years have passed after it.

const RECEIVED = '2026-03-10T09:00:00.000Z';

function referral(status: ReferralStatus, endedAt?: string) {
  const history = [{ status: 'queued' as ReferralStatus, at: '2026-03-10T09:00:05.000Z' }];
  if (endedAt) history.push({ status, at: endedAt });
  return { status, updatedAt: endedAt ?? '2026-03-10T09:00:05.000Z', history };
}

function subject(overrides: Partial<RetentionSubject> = {}): RetentionSubject {
  return { status: 'routed', receivedAt: RECEIVED, updatedAt: RECEIVED, referrals: [], ...overrides };
}

const due = (s: RetentionSubject) => pupilDataPurgeDue(s, DEFAULT_RETENTION);

describe('pupil data retention', () => {
  it('purges six months after the last referral closed', () => {
    const s = subject({ referrals: [referral('closed', '2026-05-20T14:00:00.000Z')] });

    expect(due(s)).toEqual({ at: new Date('2026-11-20T14:00:00.000Z'), reason: 'closed-period' });
  });

  it('counts from the referral that ended last', () => {
    const s = subject({
      referrals: [
        referral('rejected', '2026-04-01T08:00:00.000Z'),
        referral('closed', '2026-07-15T08:00:00.000Z'),
      ],
    });

    expect(due(s).at).toEqual(new Date('2027-01-15T08:00:00.000Z'));
  });

  it.each<ReferralStatus>(['queued', 'delivered', 'accepted', 'started'])(
    'never purges before two years while a referral is %s',
    (open) => {
      const s = subject({ referrals: [referral('closed', '2026-04-01T08:00:00.000Z'), referral(open)] });

      expect(closedAt(s)).toBeUndefined();
      expect(due(s)).toEqual({ at: new Date('2028-03-10T09:00:00.000Z'), reason: 'maximum-age' });
      expect(isPurgeDue(due(s), new Date('2028-03-10T08:59:59.999Z'))).toBe(false);
      expect(isPurgeDue(due(s), new Date('2028-03-10T09:00:00.000Z'))).toBe(true);
    },
  );

  it('caps a late close at two years after receipt', () => {
    const s = subject({ referrals: [referral('closed', '2027-12-01T00:00:00.000Z')] });

    expect(due(s)).toEqual({ at: new Date('2028-03-10T09:00:00.000Z'), reason: 'maximum-age' });
  });

  it.each([
    ['one millisecond before', '2026-11-20T13:59:59.999Z', false],
    ['exactly at', '2026-11-20T14:00:00.000Z', true],
    ['one millisecond after', '2026-11-20T14:00:00.001Z', true],
  ])('is due %s the end of the period: %s', (_case, now, expected) => {
    const s = subject({ referrals: [referral('withdrawn', '2026-05-20T14:00:00.000Z')] });

    expect(isPurgeDue(due(s), new Date(now))).toBe(expected);
  });

  it.each(['unroutable', 'withdrawn'] as const)(
    'counts a signal %s without referrals from its last update',
    (status) => {
      const s = subject({ status, updatedAt: '2026-03-11T10:00:00.000Z' });

      expect(due(s)).toEqual({ at: new Date('2026-09-11T10:00:00.000Z'), reason: 'closed-period' });
    },
  );

  it('counts an unroutable signal whose teams all rejected it from the moment it became unroutable', () => {
    const s = subject({
      status: 'unroutable',
      updatedAt: '2026-04-02T10:00:00.000Z',
      referrals: [referral('rejected', '2026-04-02T09:59:00.000Z')],
    });

    expect(due(s).at).toEqual(new Date('2026-10-02T10:00:00.000Z'));
  });

  it.each([
    ['waiting to be routed', subject({ status: 'received' })],
    [
      'being routed again after a rejection',
      subject({ status: 'received', referrals: [referral('rejected', '2026-04-01T00:00:00.000Z')] }),
    ],
  ])('keeps a signal %s until the maximum age', (_case, s) => {
    expect(due(s).reason).toBe('maximum-age');
  });

  it('follows the configured periods', () => {
    const s = subject({ referrals: [referral('closed', '2026-05-20T14:00:00.000Z')] });

    expect(
      pupilDataPurgeDue(s, { pupilDataMonthsAfterClose: 1, pupilDataMaxYears: 1, auditYears: 5 }),
    ).toEqual({ at: new Date('2026-06-20T14:00:00.000Z'), reason: 'closed-period' });
    expect(
      pupilDataPurgeDue(s, { pupilDataMonthsAfterClose: 12, pupilDataMaxYears: 1, auditYears: 5 }),
    ).toEqual({ at: new Date('2027-03-10T09:00:00.000Z'), reason: 'maximum-age' });
  });

  it.each([
    ['2026-08-31T12:00:00.000Z', 6, '2027-02-28T12:00:00.000Z'],
    ['2027-08-31T12:00:00.000Z', 6, '2028-02-29T12:00:00.000Z'],
    ['2028-02-29T00:00:00.000Z', 24, '2030-02-28T00:00:00.000Z'],
    ['2026-01-15T23:30:00.000Z', 1, '2026-02-15T23:30:00.000Z'],
    ['2026-03-31T00:00:00.000Z', -1, '2026-02-28T00:00:00.000Z'],
  ])('adds calendar months: %s + %i = %s', (from, months, expected) => {
    expect(addCalendarMonths(new Date(from), months).toISOString()).toBe(expected);
  });

  it('searches far enough back to find every signal that can be due, month ends included', () => {
    const now = new Date('2027-02-28T12:00:00.000Z');
    const s = subject({
      status: 'withdrawn',
      receivedAt: '2026-08-31T12:00:00.000Z',
      updatedAt: '2026-08-31T12:00:00.000Z',
    });

    expect(isPurgeDue(due(s), now)).toBe(true);
    expect(Date.parse(s.receivedAt)).toBeLessThanOrEqual(
      earliestPossiblyDue(now, DEFAULT_RETENTION).getTime(),
    );
  });
});

describe('audit retention', () => {
  it.each([
    ['2031-12-31T23:59:59.999Z', 2025],
    ['2032-01-01T00:00:00.000Z', 2026],
    ['2032-07-01T00:00:00.000Z', 2026],
  ])('at %s removes through year %i (five full years kept)', (now, year) => {
    expect(lastRemovableAuditYear(new Date(now), 5)).toBe(year);
  });

  it('starts a year at midnight UTC on 1 January', () => {
    expect(startOfYear(2027)).toBe('2027-01-01T00:00:00.000Z');
  });
});
