import { describe, expect, it } from 'vitest';
import { ageOn, missingConsent, requiredConsent } from '../../../domain/consent.js';

describe('ageOn', () => {
  it.each([
    ['2015-03-14', '2026-11-20', 11, 'the contract example'],
    ['2014-11-20', '2026-11-20', 12, 'birthday today'],
    ['2014-11-21', '2026-11-20', 11, 'birthday tomorrow'],
    ['2014-11-19', '2026-11-20', 12, 'birthday yesterday'],
    ['2014-12-20', '2026-11-20', 11, 'birthday next month, earlier day-of-month'],
    ['2014-10-25', '2026-11-20', 12, 'birthday last month, later day-of-month'],
    ['2026-11-20', '2026-11-20', 0, 'born today'],
    ['2025-11-21', '2026-11-20', 0, 'one day before the first birthday'],
    ['2010-12-31', '2026-12-30', 15, 'last day of the year, one day early'],
    ['2010-12-31', '2026-12-31', 16, 'last day of the year, on the day'],
    ['2010-01-01', '2025-12-31', 15, 'first day of the year, one day early'],
    ['2010-01-01', '2026-01-01', 16, 'first day of the year, on the day'],
    ['2012-02-29', '2024-02-28', 11, 'leap-day birth, day before the birthday in a leap year'],
    ['2012-02-29', '2024-02-29', 12, 'leap-day birth, birthday in a leap year'],
    ['2012-02-29', '2025-02-28', 12, 'leap-day birth, 28 Feb of a common year (birthday not yet reached)'],
    ['2012-02-29', '2025-03-01', 13, 'leap-day birth, 1 March of a common year'],
    ['2011-03-01', '2024-02-29', 12, 'born 1 March, on 29 Feb of a leap year'],
  ])('gives ageOn(%s, %s) = %i (%s)', (birthDate, day, expected) => {
    expect(ageOn(birthDate, day)).toBe(expected);
  });

  it.each([1, 11, 12, 15, 16, 17, 18])('counts %i whole years on each birthday', (years) => {
    const birthDate = '2008-06-15';
    const birthday = `${2008 + years}-06-15`;
    const dayBefore = `${2008 + years}-06-14`;

    expect(ageOn(birthDate, birthday)).toBe(years);
    expect(ageOn(birthDate, dayBefore)).toBe(years - 1);
  });
});

describe('requiredConsent', () => {
  it.each([
    [0, ['parents']],
    [4, ['parents']],
    [11, ['parents']],
    [12, ['parents', 'pupil']],
    [13, ['parents', 'pupil']],
    [15, ['parents', 'pupil']],
    [16, ['pupil']],
    [17, ['pupil']],
    [18, ['pupil']],
    [25, ['pupil']],
  ])('requires consent of %i-year-old from %j', (age, expected) => {
    expect(requiredConsent(age)).toEqual(expected);
  });
});

describe('missingConsent', () => {
  it.each([
    [11, { parents: true, pupil: false }, []],
    [11, { parents: false, pupil: true }, ['parents']],
    [11, { parents: false, pupil: false }, ['parents']],
    [12, { parents: true, pupil: true }, []],
    [12, { parents: true, pupil: false }, ['pupil']],
    [15, { parents: false, pupil: true }, ['parents']],
    [14, { parents: false, pupil: false }, ['parents', 'pupil']],
    [16, { parents: false, pupil: true }, []],
    [16, { parents: true, pupil: false }, ['pupil']],
    [17, { parents: false, pupil: false }, ['pupil']],
  ])('at age %i with consent %j misses %j', (age, consent, expected) => {
    expect(missingConsent(age, consent)).toEqual(expected);
  });
});
