import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../functions/shared/actor.js';
import { DynamoDbStateStore } from '../../functions/shared/adapters/dynamodb-state-store.js';
import { InvalidCursorError } from '../../functions/shared/errors.js';
import type { ChangeRecord, StoredReferral, StoredSignal } from '../../functions/shared/model.js';
import type { StateWrite } from '../../functions/shared/ports/state-writes.js';
import type { SignalQuery } from '../../functions/shared/ports/work-lists.js';
import {
  nextSignal,
  referralWrite,
  signalWrite,
  stepReferral,
} from '../../functions/shared/state-changes.js';
import { createStateTable, deleteTable, type EmulatedAws, emulatedAws } from '../helpers/emulated-aws.js';
import { type DeepPartial, storedReferral, storedSignal } from '../helpers/factories.js';

// The work lists and searches of the state store over its overloaded, partly sparse GSIs
// (functions/shared/adapters/state-table.ts), on DynamoDB Local with the real adapter. Data goes
// in as the use cases write it: whole records through `commit` (and `createSignal`), so the index
// keys come from `signalItem` / `referralItem` and nothing is put in an index by hand. Every test
// has its own school locations, municipality codes and teams in one shared table.

const aws: EmulatedAws = emulatedAws();
let table: string;
let store: DynamoDbStateStore;

beforeAll(async () => {
  table = await createStateTable(aws);
  store = new DynamoDbStateStore(aws.documents, table);
});

afterAll(async () => {
  await deleteTable(aws, table);
});

const BASE = Date.parse('2026-11-22T10:00:00.000Z');
/** An instant `minutes` after the base instant (UTC ISO, milliseconds). */
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
const later = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();
/** A code no other test uses: partitions of the shared table stay apart. */
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function signal(overrides: DeepPartial<StoredSignal>): StoredSignal {
  const id = randomUUID();
  const receivedAt = overrides.receivedAt ?? at(0);
  return storedSignal({ id, sourceId: `src-${id}`, receivedAt, updatedAt: receivedAt, ...overrides });
}

function referral(overrides: DeepPartial<StoredReferral>): StoredReferral {
  const createdAt = overrides.createdAt ?? at(0);
  return storedReferral({
    id: randomUUID(),
    signalId: randomUUID(),
    createdAt,
    updatedAt: createdAt,
    history: [{ status: 'queued', at: createdAt }],
    ...overrides,
  });
}

/** Writes version-1 records in transactions of at most 100 (a commit's limit), a few at a time. */
async function save(records: readonly (StoredSignal | StoredReferral)[]): Promise<void> {
  const writes: StateWrite[] = records.map((r) => ('receivedAt' in r ? signalWrite(r) : referralWrite(r)));
  const chunks: StateWrite[][] = [];
  for (let i = 0; i < writes.length; i += 100) chunks.push(writes.slice(i, i + 100));
  for (let i = 0; i < chunks.length; i += 4) {
    const outcomes = await Promise.all(chunks.slice(i, i + 4).map((chunk) => store.commit(chunk)));
    expect(outcomes.every((o) => o === 'committed')).toBe(true);
  }
}

async function committed(writes: StateWrite[]): Promise<void> {
  expect(await store.commit(writes)).toBe('committed');
}

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);
/** Newest first, as the searches list: by `<receivedAt>#<id>`, descending. */
const newestFirst = (signals: readonly StoredSignal[]) =>
  ids([...signals].sort((a, b) => (`${b.receivedAt}#${b.id}` < `${a.receivedAt}#${a.id}` ? -1 : 1)));
/** Oldest goal first, as the due and overdue lists: by `<dueAt>#<id>`, ascending. */
const mostOverdueFirst = (referrals: readonly StoredReferral[]) =>
  ids([...referrals].sort((a, b) => (`${a.dueAt}#${a.id}` < `${b.dueAt}#${b.id}` ? -1 : 1)));

/** Every page of a search, following `next` (at most 50 pages, so a cursor loop fails the test). */
async function searchAll(query: Omit<SignalQuery, 'cursor'>): Promise<StoredSignal[][]> {
  const pages: StoredSignal[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.searchSignals({ ...query, cursor });
    pages.push(page.items);
    cursor = page.next;
  } while (cursor && pages.length < 50);
  return pages;
}

const change = (eventType: ChangeRecord['eventType'], when: string): ChangeRecord => ({
  eventType,
  at: when,
  actor: SYSTEM_ACTOR,
});

/** What escalate-referrals commits: the referral marked overdue, once. */
function markedOverdue(r: StoredReferral, when: string): StoredReferral {
  return {
    ...r,
    overdueAt: when,
    version: r.version + 1,
    updatedAt: when,
    lastChange: { ...change('referral.overdue', when), onBehalfOf: { teamId: r.teamId } },
  };
}

/** A lifecycle step as track-referral commits it; fails the test when the lifecycle refuses it. */
function stepped(
  r: StoredReferral,
  event: Parameters<typeof stepReferral>[1],
  when: string,
  reason?: string,
): StoredReferral {
  const step = stepReferral(r, event, { at: when, actor: SYSTEM_ACTOR }, reason);
  if (!step.ok) throw new Error(`refused: ${JSON.stringify(step.refused)}`);
  return step.referral;
}

describe('DynamoDbStateStore.searchSignals', () => {
  it('lists only the school location’s own signals, newest first, when searching as a school', async () => {
    const municipality = unique('m');
    const [own, other] = [unique('school'), unique('school')];
    const mine = [3, 0, 7, 1].map((m) => signal({ schoolLocation: own, municipality, receivedAt: at(m) }));
    for (const s of [...mine, signal({ schoolLocation: other, municipality, receivedAt: at(5) })]) {
      expect(await store.createSignal(s)).toEqual({ outcome: 'created' });
    }

    const page = await store.searchSignals({ scope: { kind: 'school', schoolLocation: own }, limit: 10 });

    expect(ids(page.items)).toEqual(newestFirst(mine));
    expect(page.items[0]).toEqual(mine[2]);
    expect(page.next).toBeUndefined();
  });

  it('lists only the municipality’s own signals, from every school, when searching as a municipality', async () => {
    const [municipality, neighbour] = [unique('m'), unique('m')];
    const mine = [
      signal({ schoolLocation: unique('school'), municipality, receivedAt: at(2) }),
      signal({ schoolLocation: unique('school'), municipality, receivedAt: at(9) }),
      signal({ schoolLocation: unique('school'), municipality, receivedAt: at(4), status: 'routed' }),
    ];
    await save([...mine, signal({ schoolLocation: mine[0]?.schoolLocation, municipality: neighbour })]);

    const page = await store.searchSignals({ scope: { kind: 'municipality', municipality }, limit: 10 });

    expect(ids(page.items)).toEqual(newestFirst(mine));
  });

  it('orders signals received at the same instant by id, newest key first', async () => {
    const schoolLocation = unique('school');
    const same = [1, 2, 3].map(() => signal({ schoolLocation, receivedAt: at(1) }));
    await save([...same, signal({ schoolLocation, receivedAt: at(0) })]);

    const page = await store.searchSignals({ scope: { kind: 'school', schoolLocation }, limit: 3 });

    expect(ids(page.items)).toEqual([...ids(same)].sort().reverse());
  });

  it('includes a signal received exactly at from and leaves out one received exactly at to', async () => {
    const schoolLocation = unique('school');
    const [from, to] = [at(10), at(20)];
    const edges = {
      beforeFrom: signal({ schoolLocation, receivedAt: later(from, -1) }),
      atFrom: signal({ schoolLocation, receivedAt: from }),
      beforeTo: signal({ schoolLocation, receivedAt: later(to, -1) }),
      atTo: signal({ schoolLocation, receivedAt: to }),
    };
    await save(Object.values(edges));
    const scope = { kind: 'school', schoolLocation } as const;

    const between = await store.searchSignals({ scope, from, to, limit: 10 });
    const fromOnly = await store.searchSignals({ scope, from, limit: 10 });
    const toOnly = await store.searchSignals({ scope, to, limit: 10 });

    expect(ids(between.items)).toEqual([edges.beforeTo.id, edges.atFrom.id]);
    expect(ids(fromOnly.items)).toEqual([edges.atTo.id, edges.beforeTo.id, edges.atFrom.id]);
    expect(ids(toOnly.items)).toEqual([edges.beforeTo.id, edges.atFrom.id, edges.beforeFrom.id]);
  });

  it('finds nothing, and fails on nothing, from a moment after every signal (the year 9000)', async () => {
    const schoolLocation = unique('school');
    await save([signal({ schoolLocation, receivedAt: at(0) })]);
    const scope = { kind: 'school', schoolLocation } as const;

    const future = await store.searchSignals({ scope, from: '9000-01-01T00:00:00.000Z', limit: 10 });
    const past = await store.searchSignals({ scope, to: '0001-01-01T00:00:00.000Z', limit: 10 });

    expect(future.items).toEqual([]);
    expect(past.items).toEqual([]);
  });

  it('applies from and to on the municipality’s list at the exact instants too', async () => {
    const municipality = unique('m');
    const [from, to] = [at(10), at(20)];
    const atFrom = signal({ municipality, receivedAt: from });
    await save([
      signal({ municipality, receivedAt: later(from, -1) }),
      atFrom,
      signal({ municipality, receivedAt: to }),
    ]);

    const page = await store.searchSignals({
      scope: { kind: 'municipality', municipality },
      from,
      to,
      limit: 10,
    });

    expect(ids(page.items)).toEqual([atFrom.id]);
  });

  it('lists only signals in the status asked for, in either scope', async () => {
    const [municipality, schoolLocation] = [unique('m'), unique('school')];
    const statuses = ['received', 'routed', 'withdrawn', 'routed', 'unroutable', 'routed'] as const;
    const all = statuses.map((status, i) =>
      signal({ municipality, schoolLocation, status, receivedAt: at(i) }),
    );
    await save(all);
    const routed = all.filter((s) => s.status === 'routed');

    const bySchool = await store.searchSignals({
      scope: { kind: 'school', schoolLocation },
      status: 'routed',
      limit: 10,
    });
    const byMunicipality = await store.searchSignals({
      scope: { kind: 'municipality', municipality },
      status: 'routed',
      limit: 10,
    });
    const withdrawn = await store.searchSignals({
      scope: { kind: 'school', schoolLocation },
      status: 'withdrawn',
      limit: 10,
    });

    expect(ids(bySchool.items)).toEqual(newestFirst(routed));
    expect(ids(byMunicipality.items)).toEqual(newestFirst(routed));
    expect(ids(withdrawn.items)).toEqual([all[2]?.id]);
  });

  it('lists only one school location’s signals when a municipality filters by schoolLocation', async () => {
    const [municipality, wanted, other] = [unique('m'), unique('school'), unique('school')];
    const all = [0, 1, 2, 3, 4, 5].map((m) =>
      signal({
        municipality,
        schoolLocation: m % 2 ? wanted : other,
        status: m < 3 ? 'routed' : 'received',
        receivedAt: at(m),
      }),
    );
    await save(all);
    const scope = { kind: 'municipality', municipality } as const;

    const location = await store.searchSignals({ scope, schoolLocation: wanted, limit: 10 });
    const both = await store.searchSignals({ scope, schoolLocation: wanted, status: 'routed', limit: 10 });

    expect(ids(location.items)).toEqual(newestFirst(all.filter((s) => s.schoolLocation === wanted)));
    expect(ids(both.items)).toEqual([all[1]?.id]);
  });

  it('pages through every signal once, newest first, when the limit is smaller than the list', async () => {
    const schoolLocation = unique('school');
    const all = Array.from({ length: 11 }, (_, m) => signal({ schoolLocation, receivedAt: at(m) }));
    await save(all);

    const pages = await searchAll({ scope: { kind: 'school', schoolLocation }, limit: 3 });

    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 2]);
    expect(ids(pages.flat())).toEqual(newestFirst(all));
  });

  it('fills every page but the last when a filter skips most of the partition', async () => {
    const [municipality, wanted] = [unique('m'), unique('school')];
    // 60 signals, one in six from the wanted location: a page of 2 reads across ~12 items.
    const all = Array.from({ length: 60 }, (_, m) =>
      signal({ municipality, schoolLocation: m % 6 === 0 ? wanted : unique('school'), receivedAt: at(m) }),
    );
    await save(all);
    const expected = newestFirst(all.filter((s) => s.schoolLocation === wanted));

    const pages = await searchAll({
      scope: { kind: 'municipality', municipality },
      schoolLocation: wanted,
      limit: 3,
    });

    expect(expected).toHaveLength(10);
    expect(pages.slice(0, 3).map((p) => p.length)).toEqual([3, 3, 3]);
    expect(pages.slice(3).flat()).toHaveLength(1);
    expect(ids(pages.flat())).toEqual(expected);
  });

  it('reads a rare status in a long partition in few requests, and pages it without losing one', async () => {
    const schoolLocation = unique('school');
    const signals = Array.from({ length: 600 }, (_, m) =>
      signal({ schoolLocation, receivedAt: at(m), status: m % 97 === 0 ? 'withdrawn' : 'routed' }),
    );
    await save(signals);
    const expected = newestFirst(signals.filter((s) => s.status === 'withdrawn'));
    let queries = 0;
    const counting = new DynamoDbStateStore(
      {
        send: (command: { constructor: { name: string } }) => {
          if (command.constructor.name === 'QueryCommand') queries += 1;
          return aws.documents.send(command as never);
        },
      } as never,
      table,
    );
    const scope = { kind: 'school', schoolLocation } as const;

    const first = await counting.searchSignals({ scope, status: 'withdrawn', limit: 4 });
    const second = await counting.searchSignals({ scope, status: 'withdrawn', limit: 4, cursor: first.next });

    expect([...ids(first.items), ...ids(second.items)]).toEqual(expected);
    // 600 items at 500 a request: two requests for the first page, at most two for the rest.
    expect(queries).toBeLessThanOrEqual(4);
  });

  it('pages within from and to, leaving out the signals outside them', async () => {
    const schoolLocation = unique('school');
    const all = Array.from({ length: 12 }, (_, m) => signal({ schoolLocation, receivedAt: at(m) }));
    await save(all);
    const [from, to] = [at(2), at(9)];

    const pages = await searchAll({ scope: { kind: 'school', schoolLocation }, from, to, limit: 2 });

    expect(ids(pages.flat())).toEqual(newestFirst(all.slice(2, 9)));
  });
});

describe('DynamoDbStateStore.searchSignals with a cursor of another query', () => {
  it('refuses a cursor of another school location’s list', async () => {
    const [own, other] = [unique('school'), unique('school')];
    await save([0, 1, 2].map((m) => signal({ schoolLocation: other, receivedAt: at(m) })));
    const foreign = await store.searchSignals({ scope: { kind: 'school', schoolLocation: other }, limit: 1 });
    expect(foreign.next).toBeDefined();

    const search = store.searchSignals({
      scope: { kind: 'school', schoolLocation: own },
      limit: 1,
      cursor: foreign.next,
    });

    await expect(search).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a cursor of another municipality’s list', async () => {
    const [own, other] = [unique('m'), unique('m')];
    await save([0, 1, 2].map((m) => signal({ municipality: other, receivedAt: at(m) })));
    const foreign = await store.searchSignals({
      scope: { kind: 'municipality', municipality: other },
      limit: 1,
    });
    expect(foreign.next).toBeDefined();

    const search = store.searchSignals({
      scope: { kind: 'municipality', municipality: own },
      limit: 1,
      cursor: foreign.next,
    });

    await expect(search).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a cursor of the school list in the municipality list, and the reverse', async () => {
    const [municipality, schoolLocation] = [unique('m'), unique('school')];
    await save([0, 1, 2].map((m) => signal({ municipality, schoolLocation, receivedAt: at(m) })));
    const school = { kind: 'school', schoolLocation } as const;
    const town = { kind: 'municipality', municipality } as const;
    const schoolCursor = (await store.searchSignals({ scope: school, limit: 1 })).next;
    const townCursor = (await store.searchSignals({ scope: town, limit: 1 })).next;
    expect(schoolCursor && townCursor).toBeTruthy();

    const searches = [
      store.searchSignals({ scope: town, limit: 1, cursor: schoolCursor }),
      store.searchSignals({ scope: school, limit: 1, cursor: townCursor }),
    ];

    await expect(searches[0]).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(searches[1]).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a cursor of the municipality’s full list in its unroutable list', async () => {
    const municipality = unique('m');
    await save([0, 1, 2].map((m) => signal({ municipality, status: 'unroutable', receivedAt: at(m) })));
    const full = await store.searchSignals({ scope: { kind: 'municipality', municipality }, limit: 1 });
    expect(full.next).toBeDefined();

    const search = store.searchSignals({
      scope: { kind: 'municipality', municipality },
      status: 'unroutable',
      limit: 1,
      cursor: full.next,
    });

    await expect(search).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it.each([
    ['not base64url JSON', '%%%'],
    ['a JSON array', base64url(['SCHOOL#x'])],
    [
      'a key with an attribute too many',
      base64url({ pk: 'a', sk: 'b', gsi1pk: 'SCHOOL#x', gsi1sk: 'c', x: 'd' }),
    ],
    ['a key with a number', base64url({ pk: 'a', sk: 'b', gsi1pk: 'SCHOOL#x', gsi1sk: 7 })],
    ['a key with an empty sort key', base64url({ pk: 'a', sk: 'b', gsi1pk: 'SCHOOL#x', gsi1sk: '' })],
  ])('refuses a forged cursor: %s', async (_case, cursor) => {
    const search = store.searchSignals({ scope: { kind: 'school', schoolLocation: 'x' }, limit: 1, cursor });

    await expect(search).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses a cursor of its own partition whose sort key lies after to', async () => {
    const schoolLocation = unique('school');
    await save([0, 1, 2, 3, 4, 5].map((m) => signal({ schoolLocation, receivedAt: at(m) })));
    const scope = { kind: 'school', schoolLocation } as const;
    // Issued by the search without bounds, after the newest signal (minute 5).
    const unbounded = await store.searchSignals({ scope, limit: 1 });
    expect(unbounded.next).toBeDefined();

    const search = store.searchSignals({ scope, from: at(0), to: at(3), limit: 2, cursor: unbounded.next });

    await expect(search).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it.each([
    ['before from', `${at(0)}#x`, { from: at(1) }],
    ['before every instant', '!', { to: at(3) }],
    ['after every instant', '~', { from: at(1) }],
    ['exactly at to', `${at(3)}#x`, { from: at(1), to: at(3) }],
  ])('refuses a forged cursor of its own partition whose sort key lies %s', async (_case, gsi1sk, bounds) => {
    const schoolLocation = unique('school');
    await save([0, 1, 2, 3, 4].map((m) => signal({ schoolLocation, receivedAt: at(m) })));
    const cursor = base64url({ pk: 'SIGNAL#x', sk: 'SIGNAL', gsi1pk: `SCHOOL#${schoolLocation}`, gsi1sk });

    const search = store.searchSignals({
      scope: { kind: 'school', schoolLocation },
      ...bounds,
      limit: 2,
      cursor,
    });

    await expect(search).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('DynamoDbStateStore.searchSignals for the unroutable work list', () => {
  it('lists a signal while it is unroutable and no longer once it is routed', async () => {
    const [municipality, neighbour, teamId] = [unique('m'), unique('m'), unique('team')];
    const received = signal({ municipality, receivedAt: at(1) });
    const waiting = signal({ municipality, receivedAt: at(2) });
    expect(await store.createSignal(received)).toEqual({ outcome: 'created' });
    expect(await store.createSignal(waiting)).toEqual({ outcome: 'created' });
    const parked = nextSignal(
      received,
      { status: 'unroutable', unroutableReason: 'no-rule' },
      change('signal.unroutable', at(3)),
    );
    await committed([signalWrite(parked)]);
    await save([signal({ municipality: neighbour, status: 'unroutable', receivedAt: at(1) })]);
    const worklist = {
      scope: { kind: 'municipality', municipality },
      status: 'unroutable',
      limit: 10,
    } as const;

    const before = await store.searchSignals(worklist);
    const assigned = referral({ signalId: parked.id, teamId, municipality, createdAt: at(4) });
    const routed = nextSignal(
      parked,
      { status: 'routed', referralIds: [assigned.id] },
      change('signal.routed', at(4)),
    );
    await committed([referralWrite(assigned), signalWrite(routed)]);
    const after = await store.searchSignals(worklist);
    const routedList = await store.searchSignals({ ...worklist, status: 'routed' });

    expect(before.items).toEqual([parked]);
    expect(after.items).toEqual([]);
    expect(routedList.items).toEqual([routed]);
  });

  it('leaves the unroutable list when a parked signal is withdrawn', async () => {
    const municipality = unique('m');
    const parked = signal({ municipality, status: 'unroutable', unroutableReason: 'no-rule' });
    await save([parked]);
    const worklist = {
      scope: { kind: 'municipality', municipality },
      status: 'unroutable',
      limit: 10,
    } as const;
    const listed = await store.searchSignals(worklist);

    await committed([
      signalWrite(nextSignal(parked, { status: 'withdrawn' }, change('signal.withdrawn', at(5)))),
    ]);
    const after = await store.searchSignals(worklist);

    expect(ids(listed.items)).toEqual([parked.id]);
    expect(after.items).toEqual([]);
  });

  it('pages the unroutable list newest first within from, to and one school location', async () => {
    const [municipality, wanted] = [unique('m'), unique('school')];
    const all = Array.from({ length: 16 }, (_, m) =>
      signal({
        municipality,
        schoolLocation: m % 2 ? wanted : unique('school'),
        status: m % 4 === 3 ? 'received' : 'unroutable',
        receivedAt: at(m),
      }),
    );
    await save(all);
    const [from, to] = [at(1), at(13)];
    const expected = all.filter(
      (s) =>
        s.status === 'unroutable' && s.schoolLocation === wanted && s.receivedAt >= from && s.receivedAt < to,
    );

    const pages = await searchAll({
      scope: { kind: 'municipality', municipality },
      status: 'unroutable',
      schoolLocation: wanted,
      from,
      to,
      limit: 2,
    });

    expect(expected.length).toBe(3);
    expect(pages[0]).toHaveLength(2);
    expect(ids(pages.flat())).toEqual(newestFirst(expected));
  });
});

describe('DynamoDbStateStore.dueReferrals', () => {
  it('lists the municipality’s waiting referrals whose goal passed before the instant, oldest goal first', async () => {
    const [municipality, neighbour, teamId] = [unique('m'), unique('m'), unique('team')];
    const now = at(0);
    const due = [
      referral({ municipality, teamId, dueAt: later(now, -1) }),
      referral({ municipality, teamId, dueAt: at(-60 * 24), status: 'delivered' }),
      referral({ municipality, teamId, dueAt: at(-60), status: 'accepted' }),
    ];
    await save([
      ...due,
      referral({ municipality, teamId, dueAt: now }),
      referral({ municipality, teamId, dueAt: at(60) }),
      referral({ municipality, teamId }),
      referral({ municipality, teamId, dueAt: at(-60), status: 'started' }),
      referral({ municipality, teamId, dueAt: at(-60), status: 'rejected' }),
      referral({ municipality, teamId, dueAt: at(-60), overdueAt: at(-30) }),
      referral({ municipality: neighbour, teamId, dueAt: at(-60) }),
    ]);

    const found = await store.dueReferrals(municipality, now, 100);

    expect(ids(found)).toEqual(mostOverdueFirst(due));
    expect(found[0]).toEqual(due[1]);
  });

  it('returns at most limit referrals, those with the oldest goal', async () => {
    const municipality = unique('m');
    const due = [5, 1, 4, 2, 3].map((h) => referral({ municipality, dueAt: at(-60 * h) }));
    await save(due);

    const found = await store.dueReferrals(municipality, at(0), 2);

    expect(ids(found)).toEqual(mostOverdueFirst(due).slice(0, 2));
  });

  it('never lists a consultation, however far past its date', async () => {
    const municipality = unique('m');
    const asked = referral({ municipality, requestType: 'referral', dueAt: at(-60) });
    await save([
      asked,
      referral({ municipality, requestType: 'consultation', dueAt: at(-120) }),
      referral({ municipality, requestType: 'consultation', dueAt: at(-120), overdueAt: at(-60) }),
    ]);

    const due = await store.dueReferrals(municipality, at(0), 100);
    const overdue = await store.overdueReferrals(municipality, { limit: 100 });

    expect(ids(due)).toEqual([asked.id]);
    expect(overdue.items).toEqual([]);
  });
});

describe('DynamoDbStateStore work lists through a referral’s lifecycle', () => {
  it('moves a referral from due to overdue when escalated, and off both once help started', async () => {
    const [municipality, teamId] = [unique('m'), unique('team')];
    const queued = referral({ municipality, teamId, dueAt: at(-60) });
    await committed([referralWrite(queued)]);
    const lists = async () => ({
      due: ids(await store.dueReferrals(municipality, at(0), 100)),
      overdue: ids((await store.overdueReferrals(municipality, { limit: 100 })).items),
      team: ids((await store.listTeamReferrals(teamId, { overdue: true, limit: 100 })).items),
    });
    const seen = [await lists()];

    let current = markedOverdue(queued, at(0));
    await committed([referralWrite(current)]);
    seen.push(await lists());
    for (const event of ['delivered', 'accepted', 'started'] as const) {
      current = stepped(current, event, at(seen.length));
      await committed([referralWrite(current)]);
      seen.push(await lists());
    }

    const id = queued.id;
    expect(seen).toEqual([
      { due: [id], overdue: [], team: [] },
      { due: [], overdue: [id], team: [id] },
      { due: [], overdue: [id], team: [id] },
      { due: [], overdue: [id], team: [id] },
      { due: [], overdue: [], team: [] },
    ]);
    expect(await store.getReferral(id)).toEqual(current);
  });

  it('keeps a referral on the due list while delivered and accepted, and takes it off once started', async () => {
    const municipality = unique('m');
    let current = referral({ municipality, dueAt: at(-60) });
    await committed([referralWrite(current)]);
    const seen: string[][] = [];

    for (const event of ['delivered', 'accepted', 'started'] as const) {
      current = stepped(current, event, at(seen.length));
      await committed([referralWrite(current)]);
      seen.push(ids(await store.dueReferrals(municipality, at(10), 100)));
    }

    expect(seen).toEqual([[current.id], [current.id], []]);
    expect((await store.overdueReferrals(municipality, { limit: 100 })).items).toEqual([]);
  });

  it('takes a referral off the due list when it is rejected, and off the overdue list when withdrawn', async () => {
    const municipality = unique('m');
    const rejectedOne = referral({ municipality, dueAt: at(-60) });
    const withdrawnOne = referral({ municipality, dueAt: at(-60) });
    const overdueOne = markedOverdue(withdrawnOne, at(-1));
    await save([rejectedOne]);
    await committed([referralWrite(withdrawnOne)]);
    await committed([referralWrite(overdueOne)]);
    const before = {
      due: ids(await store.dueReferrals(municipality, at(0), 100)),
      overdue: ids((await store.overdueReferrals(municipality, { limit: 100 })).items),
    };

    await committed([
      referralWrite(stepped(rejectedOne, 'rejected', at(1), 'not our area')),
      referralWrite(stepped(overdueOne, 'withdrawn', at(1))),
    ]);
    const after = {
      due: ids(await store.dueReferrals(municipality, at(0), 100)),
      overdue: ids((await store.overdueReferrals(municipality, { limit: 100 })).items),
    };

    expect(before).toEqual({ due: [rejectedOne.id], overdue: [withdrawnOne.id] });
    expect(after).toEqual({ due: [], overdue: [] });
  });
});

describe('DynamoDbStateStore.overdueReferrals', () => {
  it('pages the municipality’s escalated, still waiting referrals, most overdue first', async () => {
    const [municipality, neighbour] = [unique('m'), unique('m')];
    const overdue = [7, 3, 9, 1, 5].map((h) =>
      referral({ municipality, dueAt: at(-60 * h), overdueAt: at(0) }),
    );
    await save([
      ...overdue,
      referral({ municipality, dueAt: at(-60 * 8) }),
      referral({ municipality, dueAt: at(-60 * 8), overdueAt: at(0), status: 'started' }),
      referral({ municipality: neighbour, dueAt: at(-60 * 8), overdueAt: at(0) }),
    ]);

    const pages: StoredReferral[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.overdueReferrals(municipality, { limit: 2, cursor });
      pages.push(page.items);
      cursor = page.next;
    } while (cursor && pages.length < 10);

    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(ids(pages.flat())).toEqual(mostOverdueFirst(overdue));
  });

  it('refuses a cursor of another municipality’s overdue list or of a team’s list', async () => {
    const [own, other, teamId] = [unique('m'), unique('m'), unique('team')];
    await save(
      [1, 2, 3].map((h) => referral({ municipality: other, teamId, dueAt: at(-60 * h), overdueAt: at(0) })),
    );
    const foreign = (await store.overdueReferrals(other, { limit: 1 })).next;
    const team = (await store.listTeamReferrals(teamId, { limit: 1 })).next;
    expect(foreign && team).toBeTruthy();

    const lists = [
      store.overdueReferrals(own, { limit: 1, cursor: foreign }),
      store.overdueReferrals(other, { limit: 1, cursor: team }),
    ];

    await expect(lists[0]).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(lists[1]).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('DynamoDbStateStore.listTeamReferrals with overdue', () => {
  it('fills its pages with the team’s escalated, still waiting referrals only, newest first', async () => {
    const [municipality, teamId] = [unique('m'), unique('team')];
    const all = Array.from({ length: 12 }, (_, m) =>
      referral({
        municipality,
        teamId,
        createdAt: at(m),
        dueAt: at(-60),
        ...(m % 3 === 0 ? { overdueAt: at(20) } : {}),
        ...(m === 9 ? { status: 'started' as const } : {}),
      }),
    );
    await save([
      ...all,
      referral({ municipality, teamId: unique('team'), dueAt: at(-60), overdueAt: at(20) }),
    ]);
    const expected = all.filter((r) => r.overdueAt && r.status !== 'started').reverse();

    const first = await store.listTeamReferrals(teamId, { overdue: true, limit: 2 });
    const second = await store.listTeamReferrals(teamId, { overdue: true, limit: 2, cursor: first.next });

    expect(ids(expected)).toHaveLength(3);
    expect(ids([...first.items, ...second.items])).toEqual(ids(expected));
    expect(first.items).toHaveLength(2);
  });
});

describe('DynamoDbStateStore.referralsMade', () => {
  it('finds every referral of the team made in [from, to) for the municipality, across pages of 1000', async () => {
    const [municipality, neighbour, teamId] = [unique('m'), unique('m'), unique('team')];
    const [from, to] = [at(0), at(60 * 24)];
    // 1,300 items in the team's partition within the period, one in five of them not counted.
    const inPeriod = Array.from({ length: 1300 }, (_, i) =>
      referral({
        teamId,
        municipality: i % 10 === 1 ? neighbour : municipality,
        requestType: i % 10 === 6 ? 'consultation' : 'referral',
        createdAt: later(from, i * 60_000),
      }),
    );
    const counted = inPeriod.filter((r) => r.municipality === municipality && r.requestType === 'referral');
    await save([
      ...inPeriod,
      referral({ teamId, municipality, createdAt: later(from, -1) }),
      referral({ teamId, municipality, createdAt: to }),
      referral({ teamId, municipality, createdAt: at(60 * 48) }),
      referral({ teamId: unique('team'), municipality, createdAt: at(5) }),
    ]);

    const made = await store.referralsMade(teamId, municipality, from, to);

    expect(counted.length).toBe(1040);
    expect(made).toHaveLength(counted.length);
    expect(ids(made).sort()).toEqual(ids(counted).sort());
    expect(made.find((r) => r.createdAt === from)).toEqual(inPeriod[0]);
  });

  it('finds nothing for a period without referrals of the team', async () => {
    const [municipality, teamId] = [unique('m'), unique('team')];
    await save([referral({ teamId, municipality, createdAt: at(10) })]);

    const made = await store.referralsMade(teamId, municipality, at(11), at(20));
    const other = await store.referralsMade(teamId, unique('m'), at(0), at(20));

    expect(made).toEqual([]);
    expect(other).toEqual([]);
  });
});
