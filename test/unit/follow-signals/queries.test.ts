import { describe, expect, it } from 'vitest';
import { FOLLOW_SIGNALS_OPERATIONS } from '../../../functions/follow-signals/declaration.js';
import { signalSearchQueryProblems } from '../../../functions/shared/scopes.js';
import { schoolClient } from '../../helpers/clients.js';

// The query limits of the search and the lead times: what a store compares as text (ISO years
// 0001–9999) and the days the Dutch calendar is known for here; a probe found a 500 past each.

const search = FOLLOW_SIGNALS_OPERATIONS.listSignals.query;
const leadTimes = FOLLOW_SIGNALS_OPERATIONS.getLeadTimes.query;
const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.success ? [] : (result.error?.issues.map((i) => i.path.join('.')) ?? []);

describe('GET /v1/signals query', () => {
  it.each([
    ['from in the year 10000 (UTC)', { from: '9999-12-31T23:00:00-14:00' }, ['from']],
    ['to in the year 10000 (UTC)', { to: '9999-12-31T23:59:59-01:00' }, ['to']],
    ['to before the year 1 (UTC)', { to: '0000-01-01T00:00:00+01:00' }, ['to']],
    ['from in the year 9000', { from: '9000-01-01T00:00:00Z' }, []],
    ['to at the end of 9999', { to: '9999-12-31T23:59:59Z' }, []],
  ])('judges %s', (_case, query, expected) => {
    expect(issues(search.safeParse(query))).toEqual(expected);
  });

  it('refuses a cursor beside a sourceId lookup, which finds at most one signal', () => {
    expect(signalSearchQueryProblems(schoolClient(), { sourceId: 'lvs-1', cursor: 'eyJhIjoiYiJ9' })).toEqual([
      { name: 'cursor', reason: 'is for paging a search; a sourceId finds at most one signal' },
    ]);
  });

  it('lets a school with several locations look up a sourceId without naming a location', () => {
    expect(signalSearchQueryProblems(schoolClient(), { sourceId: 'lvs-1' })).toEqual([]);
    expect(signalSearchQueryProblems(schoolClient(), {}).map((p) => p.name)).toEqual(['schoolLocation']);
  });
});

describe('GET /v1/lead-times query', () => {
  const query = (from: string, to: string) => ({ from, to, groupBy: 'team' });

  it.each([
    ['the year 1883', query('1883-01-01', '1883-12-31'), ['from', 'to']],
    ['the last day of 9999', query('9999-12-31', '9999-12-31'), ['from', 'to']],
    ['the year 1999 into 2000', query('1999-12-31', '2000-01-31'), ['from']],
    ['a year of this century', query('2026-01-01', '2026-12-31'), []],
    ['the last day offered', query('2999-12-31', '2999-12-31'), []],
  ])('judges %s', (_case, value, expected) => {
    expect(issues(leadTimes.safeParse(value))).toEqual(expected);
  });
});
