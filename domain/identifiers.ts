// Dutch identifiers, validated exactly as their issuers define them.

/** Weighted sum 9·d1 + 8·d2 + … + 2·d8 − 1·d9 used by both the BSN and the onderwijsnummer. */
function elevenProofSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * Number(digits[i]);
  return sum - Number(digits[8]);
}

const NINE_DIGITS = /^\d{9}$/;

/** BSN (burgerservicenummer): 9 digits, not all zero, weighted sum divisible by 11 (the "11-proef"). */
export function isValidBsn(value: string): boolean {
  if (!NINE_DIGITS.test(value) || value === '000000000') return false;
  return elevenProofSum(value) % 11 === 0;
}

/** Onderwijsnummer (DUO number for a pupil without a BSN): 9 digits starting 10, weighted sum mod 11 = 5. */
export function isValidOnderwijsnummer(value: string): boolean {
  if (!NINE_DIGITS.test(value) || !value.startsWith('10')) return false;
  const remainder = ((elevenProofSum(value) % 11) + 11) % 11;
  return remainder === 5;
}

/** BRIN (school board/institution code): two digits, two capitals. */
export const BRIN_PATTERN = /^\d{2}[A-Z]{2}$/;
/** School location (vestiging): BRIN plus a two-digit location number. */
export const SCHOOL_LOCATION_PATTERN = /^\d{2}[A-Z]{2}\d{2}$/;

export function isValidSchoolLocation(value: string): boolean {
  return SCHOOL_LOCATION_PATTERN.test(value);
}

// PostNL never issues the letter pairs SA, SD and SS (historical connotations).
const POSTCODE_PATTERN = /^[1-9]\d{3} ?([A-Z]{2})$/;
const UNUSED_POSTCODE_LETTERS = new Set(['SA', 'SD', 'SS']);

export function isValidPostcode(value: string): boolean {
  const match = POSTCODE_PATTERN.exec(value);
  return match !== null && !UNUSED_POSTCODE_LETTERS.has(match[1] ?? '');
}

/** Canonical postcode form without the space, e.g. "1011 AB" → "1011AB". */
export function normalisePostcode(value: string): string {
  return value.replace(' ', '');
}

/** OIN (Organisatie-identificatienummer) as carried in PKIoverheid certificates. */
export const OIN_PATTERN = /^\d{8}[0-9A-Z]{12}$/;
/** AGB code (care provider register): 8 digits. */
export const AGB_PATTERN = /^\d{8}$/;

/**
 * Whether two school locations (vestigingen) belong to one school: the same BRIN, the first four
 * characters of a location code.
 */
export function sameSchool(location: string, other: string): boolean {
  return location.slice(0, 4) === other.slice(0, 4);
}
