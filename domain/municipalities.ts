import { MUNICIPALITY_LIST_DATE, MUNICIPALITY_ROWS } from './municipality-list.js';

export interface Municipality {
  code: string;
  name: string;
  province: string;
  youthCareRegion: string;
}

const BY_CODE: ReadonlyMap<string, Municipality> = new Map(
  MUNICIPALITY_ROWS.map(([code, name, province, youthCareRegion]) => [
    code,
    { code, name, province, youthCareRegion },
  ]),
);

export { MUNICIPALITY_LIST_DATE };

/** A municipality by its 4-digit CBS code (as in iJw messages), from the 2026-01-01 list. */
export function findMunicipality(code: string): Municipality | undefined {
  return BY_CODE.get(code);
}

export { isKnownMunicipality } from './municipality-codes.js';

export function allMunicipalities(): Municipality[] {
  return [...BY_CODE.values()];
}
