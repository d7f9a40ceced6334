import { ageOn, missingConsent } from '../../domain/consent.js';
import { SCHOOL_LOCATION_PATTERN } from '../../domain/identifiers.js';
import { isPlausiblePupilAge, PUPIL_AGE } from '../../domain/plausibility.js';
import type { Client } from '../../schemas/client.js';
import type { InvalidParam } from '../../schemas/problem.js';

// The rules of a submission that need more than its schema: the calendar (a birth date in the
// past giving an age a pupil can have, consent by age on the day, consent recorded between birth
// and today) and the client's scope (its school locations). They read the body as it came, so
// that they can run beside a failing schema check and a 400 names every bad field at once;
// a field the schema refuses anyway is left to the schema's reason.

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const dateAt = (value: unknown) => (typeof value === 'string' && ISO_DATE.test(value) ? value : undefined);

/** Calendar rules of a referral, on the Dutch calendar day `today` (YYYY-MM-DD). */
export function calendarProblems(body: unknown, today: string): InvalidParam[] {
  const submission = record(body);
  if (submission?.requestType !== 'referral') return [];
  const problems: InvalidParam[] = [];
  const birthDate = dateAt(record(submission.pupil)?.birthDate);
  const consent = record(submission.consent);
  const recordedOn = dateAt(consent?.recordedOn);

  let age: number | undefined;
  if (birthDate && birthDate > today) {
    problems.push({ name: 'pupil.birthDate', reason: 'must not be in the future' });
  } else if (birthDate) {
    age = ageOn(birthDate, today);
    if (!isPlausiblePupilAge(age)) {
      problems.push({
        name: 'pupil.birthDate',
        reason: `must give an age a pupil can have: ${PUPIL_AGE.min} to ${PUPIL_AGE.max} (it gives ${age})`,
      });
      age = undefined;
    }
  }
  if (recordedOn && recordedOn > today) {
    problems.push({ name: 'consent.recordedOn', reason: 'must not be in the future' });
  } else if (recordedOn && birthDate && birthDate <= today && recordedOn < birthDate) {
    problems.push({ name: 'consent.recordedOn', reason: 'must not be before the pupil’s birth date' });
  }
  const discussed = dateAt(submission.discussedInCareTeamOn);
  if (discussed && discussed > today) {
    problems.push({ name: 'discussedInCareTeamOn', reason: 'must not be in the future' });
  } else if (discussed && birthDate && birthDate <= today && discussed < birthDate) {
    problems.push({ name: 'discussedInCareTeamOn', reason: 'must not be before the pupil’s birth date' });
  }
  if (age !== undefined && typeof consent?.parents === 'boolean' && typeof consent.pupil === 'boolean') {
    for (const party of missingConsent(age, { parents: consent.parents, pupil: consent.pupil })) {
      const who = party === 'parents' ? 'the parents' : 'the pupil';
      problems.push({
        name: `consent.${party}`,
        reason: `consent of ${who} is required for a pupil aged ${age} (under 12: parents; 12–15: parents and pupil; 16+: pupil)`,
      });
    }
  }
  return problems;
}

/** A school location outside the client's scope (the client may not send for it: a 403 alone). */
export function scopeProblems(body: unknown, client: Client | undefined): InvalidParam[] {
  const location = record(body)?.schoolLocation;
  // Only a well-formed code can be someone else's; a malformed one is the schema's to name.
  if (typeof location !== 'string' || !SCHOOL_LOCATION_PATTERN.test(location)) return [];
  if (client?.scope.schoolLocations?.includes(location)) return [];
  return [{ name: 'schoolLocation', reason: 'is not a school location of this client' }];
}
