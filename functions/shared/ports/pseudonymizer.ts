/** Turns a pupil identifier into a stable keyed pseudonym (the audit never sees the BSN). */
export interface Pseudonymizer {
  pseudonymize(kind: 'bsn' | 'onderwijsnummer', value: string): Promise<string>;
}
