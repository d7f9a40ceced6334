/** Where apply-retention finds the signals whose pupil data may be due for removal. */
export interface PurgeCandidates {
  /**
   * Ids of the signals that still hold pupil data (or have a referral that still holds a free-text
   * reason) and were received — or got that referral — at or before `receivedAtOrBefore`. A
   * superset: the retention rules decide per signal.
   */
  signalIds(receivedAtOrBefore: string): Promise<string[]>;
}
