import { describe, expect, it } from 'vitest';
import { calendarProblems, scopeProblems } from '../../../functions/receive-signal/submission-rules.js';
import { schoolClient } from '../../helpers/clients.js';
import { consultationSubmission, referralSubmission } from '../../helpers/factories.js';

const TODAY = '2026-11-22';
const names = (body: unknown) => calendarProblems(body, TODAY).map((p) => p.name);

describe('calendarProblems', () => {
  it('finds nothing wrong with the contract example (a pupil of 11 with the parents’ consent)', () => {
    expect(calendarProblems(referralSubmission(), TODAY)).toEqual([]);
  });

  it.each<[string, string, string]>([
    ['tomorrow', '2026-11-23', 'must not be in the future'],
    ['a year 0 date', '0000-01-01', 'must give an age a pupil can have: 2 to 23 (it gives 2026)'],
    ['1900', '1900-01-01', 'must give an age a pupil can have: 2 to 23 (it gives 126)'],
    ['a toddler of one', '2025-06-01', 'must give an age a pupil can have: 2 to 23 (it gives 1)'],
    ['a pupil of 24', '2002-11-22', 'must give an age a pupil can have: 2 to 23 (it gives 24)'],
  ])('refuses a birth date of %s', (_case, birthDate, reason) => {
    const problems = calendarProblems(referralSubmission({ pupil: { birthDate } }), TODAY);

    expect(problems).toContainEqual({ name: 'pupil.birthDate', reason });
  });

  it.each([
    ['2', '2024-11-22'],
    ['23', '2003-11-23'],
  ])('accepts a pupil aged %s, the edge of the range', (_age, birthDate) => {
    const body = referralSubmission({ pupil: { birthDate }, consent: { parents: true, pupil: true } });

    expect(names(body)).not.toContain('pupil.birthDate');
  });

  it('refuses consent recorded before the pupil was born, and after today', () => {
    expect(names(referralSubmission({ consent: { recordedOn: '2015-03-13' } }))).toEqual([
      'consent.recordedOn',
    ]);
    expect(names(referralSubmission({ consent: { recordedOn: '2026-11-23' } }))).toEqual([
      'consent.recordedOn',
    ]);
  });

  it('names each missing consent for the pupil’s age on the day', () => {
    const thirteen = referralSubmission({
      pupil: { birthDate: '2013-07-04' },
      consent: { parents: false, pupil: false },
    });

    expect(names(thirteen)).toEqual(['consent.parents', 'consent.pupil']);
  });

  it('leaves to the schema what it refuses anyway: a malformed date, a missing or odd consent', () => {
    expect(calendarProblems(referralSubmission({ pupil: { birthDate: '2015-13-01' } }), TODAY)).toEqual([]);
    expect(calendarProblems({ ...referralSubmission(), consent: 'yes' }, TODAY)).toEqual([]);
    expect(calendarProblems({ requestType: 'referral', pupil: 5 }, TODAY)).toEqual([]);
  });

  it.each([null, 'text', 42, [], consultationSubmission()])('finds nothing to judge in %j', (body) => {
    expect(calendarProblems(body, TODAY)).toEqual([]);
  });
});

describe('scopeProblems', () => {
  it('names a school location the client does not have', () => {
    expect(scopeProblems(referralSubmission({ schoolLocation: '99ZZ00' }), schoolClient())).toEqual([
      { name: 'schoolLocation', reason: 'is not a school location of this client' },
    ]);
  });

  it('accepts the client’s own location, and leaves a missing one to the schema', () => {
    expect(scopeProblems(referralSubmission(), schoolClient())).toEqual([]);
    expect(scopeProblems({}, schoolClient())).toEqual([]);
  });

  it.each(['zz', '12ab00', '12AB0'])('leaves the malformed location %j to the schema', (schoolLocation) => {
    expect(scopeProblems({ schoolLocation }, schoolClient())).toEqual([]);
  });
});

describe('calendarProblems: discussedInCareTeamOn', () => {
  const body = (discussedInCareTeamOn: string) => ({ ...referralSubmission(), discussedInCareTeamOn });

  it.each([
    ['today', TODAY, []],
    ['tomorrow', '2099-01-01', [{ name: 'discussedInCareTeamOn', reason: 'must not be in the future' }]],
    [
      'before the birth date',
      '2015-03-13',
      [{ name: 'discussedInCareTeamOn', reason: 'must not be before the pupil’s birth date' }],
    ],
  ])('judges a discussion %s', (_case, day, expected) => {
    expect(calendarProblems(body(day), TODAY)).toEqual(expected);
  });
});
