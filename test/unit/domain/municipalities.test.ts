import { describe, expect, it } from 'vitest';
import {
  allMunicipalities,
  findMunicipality,
  isKnownMunicipality,
  MUNICIPALITY_LIST_DATE,
} from '../../../domain/municipalities.js';

describe('municipalities', () => {
  it('holds the 342 municipalities of the CBS list of 2026-01-01', () => {
    expect(MUNICIPALITY_LIST_DATE).toBe('2026-01-01');
    expect(allMunicipalities()).toHaveLength(342);
  });

  it('has 342 distinct 4-digit codes', () => {
    const codes = allMunicipalities().map((m) => m.code);

    expect(new Set(codes).size).toBe(342);
    expect(codes.filter((code) => !/^\d{4}$/.test(code))).toEqual([]);
  });

  it('places every municipality in one of 42 distinct youth-care regions', () => {
    const municipalities = allMunicipalities();

    expect(municipalities.filter((m) => m.youthCareRegion.trim() === '')).toEqual([]);
    expect(new Set(municipalities.map((m) => m.youthCareRegion)).size).toBe(42);
  });

  it.each([
    [
      '0363',
      { code: '0363', name: 'Amsterdam', province: 'Noord-Holland', youthCareRegion: 'Amsterdam-Amstelland' },
    ],
    [
      '0534',
      { code: '0534', name: 'Hillegom', province: 'Zuid-Holland', youthCareRegion: 'Holland-Rijnland' },
    ],
    ['0344', { code: '0344', name: 'Utrecht', province: 'Utrecht', youthCareRegion: 'Utrecht stad' }],
    [
      '0796',
      {
        code: '0796',
        name: "'s-Hertogenbosch",
        province: 'Noord-Brabant',
        youthCareRegion: 'Noord-Oost Brabant',
      },
    ],
  ])('finds %s', (code, expected) => {
    expect(findMunicipality(code)).toEqual(expected);
    expect(isKnownMunicipality(code)).toBe(true);
  });

  it.each([
    ['0000', 'no municipality has code 0000'],
    ['9999', 'unused code'],
    ['363', 'Amsterdam without its leading zero'],
    ['00363', 'Amsterdam with an extra zero'],
    ['', 'empty'],
    ['Amsterdam', 'a name instead of a code'],
  ])('does not know %j (%s)', (code) => {
    expect(findMunicipality(code)).toBeUndefined();
    expect(isKnownMunicipality(code)).toBe(false);
  });

  it('puts Hillegom in the same youth-care region as Alphen aan den Rijn', () => {
    expect(findMunicipality('0534')?.youthCareRegion).toBe(findMunicipality('0484')?.youthCareRegion);
  });
});
