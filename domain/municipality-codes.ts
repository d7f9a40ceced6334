import { MUNICIPALITY_CODES, MUNICIPALITY_LIST_DATE } from './municipality-list.js';

// Whether a code is on the CBS list, without the names and regions: the Lambda bundles that only
// validate codes stay small (the whole list is 17 KB minified).

const CODES: ReadonlySet<string> = new Set(MUNICIPALITY_CODES.split(' '));

export { MUNICIPALITY_LIST_DATE };

/** A 4-digit CBS code (as in iJw messages) on the list of MUNICIPALITY_LIST_DATE. */
export function isKnownMunicipality(code: string): boolean {
  return CODES.has(code);
}
