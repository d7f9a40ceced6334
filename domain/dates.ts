// Dates that matter to people (age, consent day) are Dutch calendar days, not UTC days:
// a signal sent at 00:30 in Amsterdam on a birthday counts on that birthday.
const DUTCH_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

export function dutchCalendarDay(at: Date): string {
  return DUTCH_DAY.format(at);
}

/** RFC 3339 in UTC, as every response carries date-times. */
export function utcTimestamp(at: Date): string {
  return at.toISOString();
}
