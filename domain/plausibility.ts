// What a pupil and the school's free text can plausibly be. Schools in scope range from early
// childhood education (VVE, from 2½) to special secondary education (VSO, until 20), and the
// Jeugdwet lets youth care continue until 23: any other age is a typing error, not a pupil.

export const PUPIL_AGE = { min: 2, max: 23 } as const;

export function isPlausiblePupilAge(age: number): boolean {
  return Number.isInteger(age) && age >= PUPIL_AGE.min && age <= PUPIL_AGE.max;
}

// Free text may hold line breaks (\n, \r) but no other C0 or C1 control character: they render as
// nothing or garble the team's screen, and no keyboard types them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const CONTROL_CHARACTER = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/**
 * A string that cannot be written as UTF-8 (a lone UTF-16 surrogate, as JSON's \ud800 escape
 * allows): no store, no canonical JSON and no team can take it.
 */
export function isWellFormedText(text: string): boolean {
  return text.isWellFormed();
}

// RFC 5321 §4.5.3.1: a local part is at most 64 octets and a forward path 256 including its
// angle brackets, so an address at most 254.
export const EMAIL_LIMITS = { localPart: 64, address: 254 } as const;

export function fitsEmailLimits(address: string): boolean {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const encoder = new TextEncoder();
  return (
    encoder.encode(local).length <= EMAIL_LIMITS.localPart &&
    encoder.encode(address).length <= EMAIL_LIMITS.address
  );
}
