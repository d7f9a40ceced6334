import { describe, expect, it } from 'vitest';
import {
  AGB_PATTERN,
  BRIN_PATTERN,
  isValidBsn,
  isValidOnderwijsnummer,
  isValidPostcode,
  isValidSchoolLocation,
  normalisePostcode,
  OIN_PATTERN,
  sameSchool,
} from '../../../domain/identifiers.js';

// Independent reference for the weighted sum of the design brief: 9·d1 + 8·d2 + … + 2·d8 − 1·d9.
const WEIGHTS = [9, 8, 7, 6, 5, 4, 3, 2, -1];
function weightedSum(value: string): number {
  return WEIGHTS.reduce((sum, weight, i) => sum + weight * (value.charCodeAt(i) - 48), 0);
}
function mod11(n: number): number {
  return ((n % 11) + 11) % 11;
}
function referenceBsn(value: string): boolean {
  return /^[0-9]{9}$/.test(value) && value !== '000000000' && mod11(weightedSum(value)) === 0;
}
function referenceOnderwijsnummer(value: string): boolean {
  return /^10[0-9]{7}$/.test(value) && mod11(weightedSum(value)) === 5;
}

/** Deterministic pseudo-random 9-digit strings (linear congruential), so failures reproduce. */
function sampleNineDigits(count: number, seed = 20261122): string[] {
  const out: string[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out.push(String(state % 1_000_000_000).padStart(9, '0'));
  }
  return out;
}

/** Every string that differs from `value` in exactly one digit. */
function singleDigitChanges(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) !== value[i]) out.push(value.slice(0, i) + d + value.slice(i + 1));
    }
  }
  return out;
}

/** Every string with two neighbouring (different) digits swapped. */
function adjacentSwaps(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < value.length - 1; i++) {
    if (value[i] === value[i + 1]) continue;
    out.push(value.slice(0, i) + value[i + 1] + value[i] + value.slice(i + 2));
  }
  return out;
}

describe('isValidBsn', () => {
  // Hand-checked: 999900018 → 81+72+63+54+0+0+0+2 − 8 = 264 = 24·11;
  // 111222333 → 9+8+7+12+10+8+9+6 − 3 = 66 = 6·11; 123456782 → 156 − 2 = 154 = 14·11.
  it.each([
    ['999900018', 'the contract example (test range)'],
    ['111222333', 'a well-known valid BSN'],
    ['123456782', 'a well-known valid BSN'],
    ['999999990', 'the last test BSN'],
    ['100000009', '9 − 9 = 0'],
  ])('accepts %s (%s)', (bsn) => {
    expect(isValidBsn(bsn)).toBe(true);
  });

  it.each([
    ['000000000', 'all zeros, although its sum is 0'],
    ['99990001', '8 digits'],
    ['0999900018', '10 digits'],
    ['999900017', 'last digit changed'],
    ['123456789', 'sum 156 − 9 = 147, remainder 4'],
    ['111222334', 'sum 65, remainder 10'],
    ['999 900 018', 'spaces'],
    [' 999900018', 'leading space'],
    ['999900018\n', 'trailing newline'],
    ['99990001X', 'a letter'],
    ['９９９９０００１８', 'full-width digits'],
    ['', 'empty'],
  ])('rejects %j (%s)', (bsn) => {
    expect(isValidBsn(bsn)).toBe(false);
  });

  it.each(singleDigitChanges('999900018'))('rejects %s, one digit away from 999900018', (bsn) => {
    expect(isValidBsn(bsn)).toBe(false);
  });

  it.each(adjacentSwaps('123456782'))('rejects %s, two neighbouring digits of 123456782 swapped', (bsn) => {
    expect(isValidBsn(bsn)).toBe(false);
  });

  it('agrees with the reference 11-proof on 5000 sampled numbers', () => {
    const samples = sampleNineDigits(5000);

    const disagreements = samples.filter((value) => isValidBsn(value) !== referenceBsn(value));

    expect(disagreements).toEqual([]);
    // The sample must hold valid numbers too, or the comparison proves little (~1 in 11 pass).
    expect(samples.filter(referenceBsn).length).toBeGreaterThan(300);
  });
});

describe('isValidOnderwijsnummer', () => {
  // Hand-checked: 101234564 → 9+0+7+12+15+16+15+12 − 4 = 82 = 7·11 + 5;
  // 100000004 → 9 − 4 = 5; 109999995 → 9+0+63+54+45+36+27+18 − 5 = 247 = 22·11 + 5.
  it.each(['101234564', '100000004', '109999995'])('accepts %s', (value) => {
    expect(isValidOnderwijsnummer(value)).toBe(true);
  });

  it.each([
    ['110000001', 'remainder 5 but starts with 11'],
    ['100000009', 'starts with 10 but remainder 0 (a valid BSN)'],
    ['101234565', 'last digit changed'],
    ['10123456', '8 digits'],
    ['1012345640', '10 digits'],
    ['10123456A', 'a letter'],
    ['', 'empty'],
  ])('rejects %j (%s)', (value) => {
    expect(isValidOnderwijsnummer(value)).toBe(false);
  });

  it.each(singleDigitChanges('101234564'))('rejects %s, one digit away from 101234564', (value) => {
    expect(isValidOnderwijsnummer(value)).toBe(false);
  });

  it('agrees with the reference on 5000 sampled numbers starting with 10', () => {
    const samples = sampleNineDigits(5000).map((value) => `10${value.slice(2)}`);

    const disagreements = samples.filter(
      (value) => isValidOnderwijsnummer(value) !== referenceOnderwijsnummer(value),
    );

    expect(disagreements).toEqual([]);
    expect(samples.filter(referenceOnderwijsnummer).length).toBeGreaterThan(300);
  });

  it('never accepts a number that is also a valid BSN', () => {
    const samples = sampleNineDigits(5000).map((value) => `10${value.slice(2)}`);

    const both = samples.filter((value) => isValidOnderwijsnummer(value) && isValidBsn(value));

    expect(both).toEqual([]);
  });
});

describe('isValidSchoolLocation', () => {
  it.each(['12AB00', '00ZZ99', '99AA01'])('accepts %s', (value) => {
    expect(isValidSchoolLocation(value)).toBe(true);
  });

  it.each([
    ['12AB', 'a BRIN without location number'],
    ['12ab00', 'lowercase letters'],
    ['1AB000', 'one leading digit'],
    ['12ABC0', 'three letters'],
    ['12AB000', 'three location digits'],
    ['12AB0', 'one location digit'],
    [' 12AB00', 'leading space'],
    ['12AB00\n', 'trailing newline'],
  ])('rejects %j (%s)', (value) => {
    expect(isValidSchoolLocation(value)).toBe(false);
  });
});

describe('BRIN_PATTERN', () => {
  it.each([
    ['12AB', true],
    ['00ZZ', true],
    ['12AB00', false],
    ['12ab', false],
    ['1ABC', false],
    ['123A', false],
  ])('tests %s as %s', (value, expected) => {
    expect(BRIN_PATTERN.test(value)).toBe(expected);
  });
});

describe('isValidPostcode', () => {
  it.each(['1011AB', '1011 AB', '9999ZZ', '1000AA', '1234SB', '1234SC', '1234AS', '1234DS'])(
    'accepts %s',
    (value) => {
      expect(isValidPostcode(value)).toBe(true);
    },
  );

  it.each([
    ['1011SA', 'letter pair SA is not used'],
    ['1011SD', 'letter pair SD is not used'],
    ['1011SS', 'letter pair SS is not used'],
    ['1011 SA', 'SA with a space'],
    ['1011 SD', 'SD with a space'],
    ['1011 SS', 'SS with a space'],
    ['0123AB', 'leading zero'],
    ['1011ab', 'lowercase letters'],
    ['1011  AB', 'two spaces'],
    ['101AB', 'three digits'],
    ['10111AB', 'five digits'],
    ['1011A', 'one letter'],
    ['1011ABC', 'three letters'],
    [' 1011AB', 'leading space'],
    ['1011AB ', 'trailing space'],
    ['1011-AB', 'hyphen'],
    ['', 'empty'],
  ])('rejects %j (%s)', (value) => {
    expect(isValidPostcode(value)).toBe(false);
  });
});

describe('normalisePostcode', () => {
  it.each([
    ['1011 AB', '1011AB'],
    ['1011AB', '1011AB'],
  ])('turns %j into %j', (value, expected) => {
    expect(normalisePostcode(value)).toBe(expected);
  });
});

describe('OIN_PATTERN', () => {
  it.each([
    ['00000001003214345000', true, 'digits only'],
    ['00000004ABCDEF123456', true, 'capitals after eight digits'],
    ['0000000100321434500', false, '19 characters'],
    ['000000010032143450000', false, '21 characters'],
    ['0000000A003214345000', false, 'a letter in the first eight'],
    ['00000004abcdef123456', false, 'lowercase letters'],
    ['00000004ABCDEF12345-', false, 'a hyphen'],
  ])('tests %s as %s (%s)', (value, expected) => {
    expect(OIN_PATTERN.test(value)).toBe(expected);
  });
});

describe('AGB_PATTERN', () => {
  it.each([
    ['12345678', true],
    ['00000000', true],
    ['1234567', false],
    ['123456789', false],
    ['1234567A', false],
    ['1234 5678', false],
  ])('tests %s as %s', (value, expected) => {
    expect(AGB_PATTERN.test(value)).toBe(expected);
  });
});

describe('sameSchool', () => {
  it.each([
    ['12AB00', '12AB01', true],
    ['12AB00', '12AB00', true],
    ['12AB00', '12AC00', false],
    ['12AB00', '13AB00', false],
  ])('%s and %s are one school: %s', (a, b, expected) => {
    expect(sameSchool(a, b)).toBe(expected);
  });
});
