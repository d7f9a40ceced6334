import { describe, expect, it } from 'vitest';
import {
  fitsEmailLimits,
  hasControlCharacters,
  isPlausiblePupilAge,
  isWellFormedText,
} from '../../../domain/plausibility.js';

describe('plausibility', () => {
  it.each([
    [1, false],
    [2, true],
    [23, true],
    [24, false],
    [10.5, false],
  ])('takes %s for a pupil’s age: %s', (age, plausible) => {
    expect(isPlausiblePupilAge(age)).toBe(plausible);
  });

  it.each([
    ['line one\nline two\r\n', false],
    ['tab\there', true],
    ['nul\u0000', true],
    ['escape\u001b[31m', true],
    ['delete\u007f', true],
    ['c1 \u0085', true],
    ['é ü ø ❤ 😀', false],
  ])('finds control characters in %j: %s', (text, found) => {
    expect(hasControlCharacters(text)).toBe(found);
  });

  it.each([
    ['x\ud800y', false],
    ['\udc00', false],
    ['😀', true],
    ['plain', true],
  ])('takes %j for well-formed Unicode: %s', (text, wellFormed) => {
    expect(isWellFormedText(text)).toBe(wellFormed);
  });

  it.each([
    [`${'a'.repeat(64)}@school.example`, true],
    [`${'a'.repeat(65)}@school.example`, false],
    [`${'a'.repeat(300)}@school.example`, false],
    [`ib@${'d'.repeat(240)}.nl`, true],
    [`ib@${'d'.repeat(249)}.nl`, false],
  ])('keeps %s within RFC 5321’s limits: %s', (address, fits) => {
    expect(fitsEmailLimits(address)).toBe(fits);
  });
});
