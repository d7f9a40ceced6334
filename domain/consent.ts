// Consent for a referral follows the WGBO age bands for youth: under 12 the parents decide,
// 12 to 15 both parents and pupil, from 16 the pupil alone. Age counts on the day of submission.

export type ConsentParty = 'parents' | 'pupil';

export interface Consent {
  parents: boolean;
  pupil: boolean;
}

/** Whole years between birth date and the given day (both ISO dates, YYYY-MM-DD). */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const hadBirthday = m > bm || (m === bm && d >= bd);
  return y - by - (hadBirthday ? 0 : 1);
}

export function requiredConsent(age: number): ConsentParty[] {
  if (age < 12) return ['parents'];
  if (age < 16) return ['parents', 'pupil'];
  return ['pupil'];
}

/** The parties whose consent the age requires but the submission does not record. */
export function missingConsent(age: number, consent: Consent): ConsentParty[] {
  return requiredConsent(age).filter((party) => !consent[party]);
}
