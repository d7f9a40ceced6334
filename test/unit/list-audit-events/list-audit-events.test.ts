import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/list-audit-events/handler.js';
import type { AuditEntryDraft } from '../../../functions/shared/ports/audit-log.js';
import { AuditPageSchema } from '../../../schemas/audit-event.js';
import type { Client } from '../../../schemas/client.js';
import { answerOf, invalidNames, operationEvent, problemOf } from '../../helpers/api-calls.js';
import { municipalityClient, schoolClient, teamClient } from '../../helpers/clients.js';
import { FakeAccessLog, FakeAuditLog, fixedClock, sequentialIds } from '../../helpers/fakes.js';

const amsterdam = municipalityClient(['0363', '0384']);
const admin: Client = { ...municipalityClient([]), clientId: 'operator', role: 'admin', scope: {} };

function draft(n: number, municipality = '0363'): AuditEntryDraft {
  return {
    id: `SIGNAL#s${n}#v1`,
    municipality,
    occurredAt: `2026-11-22T1${n}:00:00.000Z`,
    action: 'C',
    eventType: 'signal.received',
    outcome: 'success',
    actor: { clientId: 'school-1', role: 'school' },
    object: { type: 'signal', id: `s${n}` },
    purpose: 'youth-care-access',
  };
}

async function setup() {
  const audit = new FakeAuditLog();
  await audit.append(
    '0363',
    [0, 1, 2, 3].map((n) => draft(n)),
  );
  await audit.append('0534', [draft(4, '0534')]);
  return {
    audit,
    access: new FakeAccessLog(),
    now: fixedClock('2026-11-23T08:00:00Z'),
    newId: sequentialIds(),
  };
}

type Deps = Awaited<ReturnType<typeof setup>>;

/** Through the whole operation (validation included), as API Gateway would call it. */
async function call(
  deps: Deps,
  query: Record<string, string | undefined>,
  client = amsterdam,
  headers: Record<string, string> = {},
) {
  const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return answerOf(makeHandler(deps)(operationEvent('listAuditEvents', { client, query: defined, headers })));
}

async function list(
  deps: Deps,
  query: Record<string, string | undefined>,
  client = amsterdam,
  headers: Record<string, string> = {},
) {
  const answer = await call(deps, query, client, headers);
  expect(answer.status).toBe(200);
  return AuditPageSchema.parse(answer.body);
}

describe('listAuditEvents', () => {
  it('returns the chain of a municipality in the client’s scope, oldest first', async () => {
    const deps = await setup();

    const page = await list(deps, { municipality: '0363' });

    expect(page.items.map((e) => [e.sequence, e.object.id])).toEqual([
      [1, 's0'],
      [2, 's1'],
      [3, 's2'],
      [4, 's3'],
    ]);
  });

  it('lets an admin read any municipality', async () => {
    const deps = await setup();

    const page = await list(deps, { municipality: '0534' }, admin);

    expect(page.items.map((e) => e.object.id)).toEqual(['s4']);
  });

  it.each<[string, Client]>([['a municipality outside the client scope', amsterdam]])(
    'answers 404 for %s and does not read the log (Invariant 5)',
    async (_who, client) => {
      const deps = await setup();

      problemOf(await call(deps, { municipality: '0534' }, client), 404);

      expect(deps.audit.queries).toEqual([]);
      expect(deps.access.records).toEqual([]);
    },
  );

  it.each<[string, Client]>([
    ['a school', schoolClient()],
    ['a provider', teamClient('jgt-hillegom')],
  ])('answers 403 to %s: the operation is for municipalities and admins only', async (_who, client) => {
    const deps = await setup();

    problemOf(await call(deps, { municipality: '0363' }, client), 403);

    expect(deps.audit.queries).toEqual([]);
    expect(deps.access.records).toEqual([]);
  });

  it('passes from and to on as UTC instants and the default limit of 50', async () => {
    const deps = await setup();

    await list(deps, { municipality: '0363', from: '2026-11-22T11:00:00+01:00', to: '2026-11-22T13:00:00Z' });

    expect(deps.audit.queries).toEqual([
      { municipality: '0363', from: '2026-11-22T10:00:00.000Z', to: '2026-11-22T13:00:00.000Z', limit: 50 },
    ]);
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['no municipality', {}, 'municipality'],
    ['a municipality that is not a CBS code', { municipality: '363' }, 'municipality'],
    ['a municipality not on the CBS list', { municipality: '9999' }, 'municipality'],
    ['from without an offset', { municipality: '0363', from: '2026-11-22T10:00:00' }, 'from'],
    ['a date as to', { municipality: '0363', to: '2026-11-22' }, 'to'],
    ['limit 0', { municipality: '0363', limit: '0' }, 'limit'],
    ['limit 101', { municipality: '0363', limit: '101' }, 'limit'],
    [
      'to equal to from',
      { municipality: '0363', from: '2026-11-22T10:00:00Z', to: '2026-11-22T10:00:00Z' },
      'to',
    ],
    [
      'to before from',
      { municipality: '0363', from: '2026-11-22T12:00:00Z', to: '2026-11-22T10:00:00Z' },
      'to',
    ],
    ['a garbage cursor', { municipality: '0363', cursor: '%%%' }, 'cursor'],
    ['an unknown parameter', { municipality: '0363', format: 'csv' }, 'format'],
  ])('answers 400 naming the parameter for %s', async (_case, query, name) => {
    const deps = await setup();

    expect(invalidNames(await call(deps, query))).toEqual([name]);
    // A cursor is the log's own to decode; everything else never reaches it.
    if (name !== 'cursor') expect(deps.audit.queries).toEqual([]);
    expect(deps.access.records).toEqual([]);
  });

  it('compares from and to as instants: 10:00+01:00 is before 09:30Z', async () => {
    // 2026-11-22T10:00:00+01:00 is 09:00 UTC, half an hour before `to`.
    const deps = await setup();

    const page = await list(deps, {
      municipality: '0363',
      from: '2026-11-22T10:00:00+01:00',
      to: '2026-11-22T09:30:00Z',
    });

    expect(page).toHaveProperty('items');
    expect(deps.audit.queries[0]).toMatchObject({
      from: '2026-11-22T09:00:00.000Z',
      to: '2026-11-22T09:30:00.000Z',
    });
  });

  it.each([
    ['an offset', '2026-11-22T09:30:00Z', '2026-11-22T10:00:00+01:00'],
    ['fractional seconds', '2026-11-22T09:00:00.500Z', '2026-11-22T09:00:00Z'],
  ])('answers 400 naming to when to is earlier than from, written with %s', async (_how, from, to) => {
    const deps = await setup();

    expect(invalidNames(await call(deps, { municipality: '0363', from, to }))).toEqual(['to']);
    expect(deps.audit.queries).toEqual([]);
  });

  it('pages with limit and cursor', async () => {
    const deps = await setup();

    const first = await list(deps, { municipality: '0363', limit: '3' });
    const second = await list(deps, { municipality: '0363', limit: '3', cursor: first.next });

    expect(first.items.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(second.items.map((e) => e.sequence)).toEqual([4]);
  });

  it('refuses a cursor of another municipality’s chain with 400 naming cursor', async () => {
    const deps = await setup();
    await deps.audit.append('0534', [draft(5, '0534')]);
    const theirs = await list(deps, { municipality: '0534', limit: '1' }, admin);

    expect(invalidNames(await call(deps, { municipality: '0363', cursor: theirs.next }))).toEqual(['cursor']);
  });

  describe('recording the read (NEN 7513: reading the trail is an access too)', () => {
    it('records one read of the trail per call, with who, why, the period and the count', async () => {
      const deps = await setup();

      await list(
        deps,
        { municipality: '0363', from: '2026-11-22T11:00:00+01:00', to: '2026-11-22T13:00:00Z', limit: '2' },
        amsterdam,
        { 'Schakel-User': 'mw-017' },
      );

      expect(deps.access.records).toEqual([
        {
          id: '00000000-0000-4000-8000-000000000001',
          municipality: '0363',
          objectType: 'audit-trail',
          objectId: '0363',
          change: {
            eventType: 'audit-trail.read',
            at: '2026-11-23T08:00:00.000Z',
            actor: {
              clientId: amsterdam.clientId,
              role: 'municipality',
              organisation: amsterdam.organisation,
              user: 'mw-017',
            },
            purpose: 'accountability',
            details: { from: '2026-11-22T10:00:00.000Z', to: '2026-11-22T13:00:00.000Z', count: 2 },
          },
        },
      ]);
    });

    it('records a read without a period as the count alone, and one record per page', async () => {
      const deps = await setup();

      const first = await list(deps, { municipality: '0363', limit: '3' });
      await list(deps, { municipality: '0363', limit: '3', cursor: first.next });

      expect(deps.access.records.map((r) => r.change.details)).toEqual([{ count: 3 }, { count: 1 }]);
      expect(deps.access.records.map((r) => r.id)).toEqual([
        '00000000-0000-4000-8000-000000000001',
        '00000000-0000-4000-8000-000000000002',
      ]);
    });

    it('records an admin’s read in the trail of the municipality read', async () => {
      const deps = await setup();

      await list(deps, { municipality: '0534' }, admin);

      expect(deps.access.records).toMatchObject([
        {
          municipality: '0534',
          objectId: '0534',
          change: { actor: { clientId: 'operator', role: 'admin' } },
        },
      ]);
    });

    it('answers 500 and hands out no page when the read cannot be recorded', async () => {
      const deps = await setup();
      deps.access.failNext(new Error('state table unavailable'));

      const answer = await call(deps, { municipality: '0363' });

      problemOf(answer, 500);
      expect(JSON.stringify(answer.body)).not.toContain('s0');
    });

    it('records nothing when the cursor belongs to another query', async () => {
      const deps = await setup();
      await deps.audit.append('0534', [draft(5, '0534')]);
      const theirs = await list(deps, { municipality: '0534', limit: '1' }, admin);
      const recorded = deps.access.records.length;

      expect(invalidNames(await call(deps, { municipality: '0363', cursor: theirs.next }))).toEqual([
        'cursor',
      ]);
      expect(deps.access.records).toHaveLength(recorded);
    });
  });

  it('answers 500 without detail when the log fails unexpectedly', async () => {
    const deps = await setup();
    deps.audit.failNext('list', new Error('audit table unavailable'));

    const problem = problemOf(await call(deps, { municipality: '0363' }), 500);

    expect(problem.detail).not.toContain('audit table');
  });
});
