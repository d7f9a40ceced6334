import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMunicipalityCsv, renderMunicipalityModule } from '../../../scripts/generate-municipalities.js';

const csv = readFileSync(new URL('../../../data/gemeenten-2026.csv', import.meta.url), 'utf8');
const committedModule = readFileSync(
  new URL('../../../domain/municipality-list.ts', import.meta.url),
  'utf8',
);

describe('parseMunicipalityCsv', () => {
  it('reads all 342 rows of data/gemeenten-2026.csv', () => {
    const rows = parseMunicipalityCsv(csv);

    expect(rows).toHaveLength(342);
    expect(rows[0]).toEqual(['1680', 'Aa en Hunze', 'Drenthe', 'Drenthe']);
  });

  it('keeps leading zeros, apostrophes and parentheses in the fields', () => {
    const rows = parseMunicipalityCsv(csv);

    expect(rows).toContainEqual(['0363', 'Amsterdam', 'Noord-Holland', 'Amsterdam-Amstelland']);
    expect(rows).toContainEqual(['0796', "'s-Hertogenbosch", 'Noord-Brabant', 'Noord-Oost Brabant']);
    expect(rows).toContainEqual(['0373', 'Bergen (NH.)', 'Noord-Holland', 'Noord-Kennemerland']);
  });

  it('reads a quoted field containing a comma as one field', () => {
    const rows = parseMunicipalityCsv('code,name,province,youthCareRegion\n0001,"Aa, Bb","P","R"\n');

    expect(rows).toEqual([['0001', 'Aa, Bb', 'P', 'R']]);
  });

  it('accepts Windows line endings', () => {
    const rows = parseMunicipalityCsv(
      'code,name,province,youthCareRegion\r\n0001,"A","P","R"\r\n0002,B,P,R\r\n',
    );

    expect(rows).toEqual([
      ['0001', 'A', 'P', 'R'],
      ['0002', 'B', 'P', 'R'],
    ]);
  });

  it('throws when the header is not code,name,province,youthCareRegion', () => {
    expect(() => parseMunicipalityCsv('code,name,province\n0001,A,P\n')).toThrow(/unexpected header/);
  });

  it.each([
    ['363,"Amsterdam","Noord-Holland","Amsterdam-Amstelland"', 'a 3-digit code'],
    ['0363,"Amsterdam","Noord-Holland"', 'three fields'],
    ['0363,"Amsterdam","Noord-Holland","Amsterdam-Amstelland","extra"', 'five fields'],
  ])('throws naming line 3 when it has %s (%s)', (badLine) => {
    const input = `code,name,province,youthCareRegion\n0534,"Hillegom","Zuid-Holland","Holland-Rijnland"\n${badLine}\n`;

    expect(() => parseMunicipalityCsv(input)).toThrow(/line 3 /);
  });
});

describe('renderMunicipalityModule', () => {
  it('reproduces the committed municipality-list.ts byte for byte from the CSV', () => {
    const rendered = renderMunicipalityModule(parseMunicipalityCsv(csv));

    expect(rendered === committedModule).toBe(true);
    expect(rendered).toBe(committedModule);
  });

  it('renders one JSON row per municipality', () => {
    const rendered = renderMunicipalityModule([
      ['0363', 'Amsterdam', 'Noord-Holland', 'Amsterdam-Amstelland'],
    ]);

    expect(rendered).toContain('\n  ["0363","Amsterdam","Noord-Holland","Amsterdam-Amstelland"],\n];\n');
    expect(rendered).toContain("export const MUNICIPALITY_LIST_DATE = '2026-01-01';");
  });
});
