import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/answer-subject-access/handler.js';
import type { AuditEntryDraft } from '../../../functions/shared/ports/audit-log.js';
import type { Client } from '../../../schemas/client.js';
import { SubjectAccessAnswerSchema } from '../../../schemas/subject-access.js';
import { answerOf, invalidNames, operationEvent, problemOf } from '../../helpers/api-calls.js';
import { municipalityClient, schoolClient, teamClient } from '../../helpers/clients.js';
import {
  FakeAccessLog,
  FakeAuditLog,
  FakePseudonymizer,
  fixedClock,
  sequentialIds,
} from '../../helpers/fakes.js';
import { captureLogs } from '../../helpers/log-capture.js';

const BSN = '999900043';
const OTHER_BSN = '999900018';
const ONDERWIJSNUMMER = '101234564';
const pseudonymOf = (value: string) => FakePseudonymizer.expected('bsn', value);
const PUPIL = pseudonymOf(BSN);

const amsterdam = municipalityClient(['0363', '0384']);
const admin: Client = { ...municipalityClient([]), clientId: 'operator', role: 'admin', scope: {} };

function draft(
  id: string,
  eventType: AuditEntryDraft['eventType'],
  pupilPseudonym: string | undefined,
  municipality = '0363',
): AuditEntryDraft {
  return {
    id,
    municipality,
    occurredAt: '2026-11-22T10:00:00.000Z',
    action: eventType.endsWith('.read') ? 'R' : 'C',
    eventType,
    outcome: 'success',
    actor: { clientId: 'team-jgt-amsterdam', role: 'provider', organisation: 'OKT', user: 'mw-042' },
    object: { type: 'signal', id, signalId: id, ...(pupilPseudonym ? { pupilPseudonym } : {}) },
    purpose: 'youth-care-access',
  };
}

/** Amsterdam's chain: the pupil's events between those of another pupil and of consultations. */
async function setup() {
  const audit = new FakeAuditLog();
  await audit.append('0363', [
    draft('s1', 'signal.received', PUPIL),
    draft('s2', 'signal.received', pseudonymOf(OTHER_BSN)),
    draft('s3', 'signal.received', undefined),
    draft('r1', 'referral.read', PUPIL),
    draft('s1-routed', 'signal.routed', PUPIL),
  ]);
  // The same pupil's event in another municipality's chain is not Amsterdam's to answer.
  await audit.append('0534', [draft('h1', 'signal.received', PUPIL, '0534')]);
  return {
    audit,
    access: new FakeAccessLog(),
    pseudonymizer: new FakePseudonymizer(),
    now: fixedClock('2026-11-23T08:00:00Z'),
    newId: sequentialIds(),
  };
}
type Deps = Awaited<ReturnType<typeof setup>>;

function call(deps: Deps, body: unknown, client: Client = amsterdam, headers: Record<string, string> = {}) {
  return answerOf(makeHandler(deps)(operationEvent('requestSubjectAccess', { client, body, headers })));
}

async function ask(
  deps: Deps,
  body: unknown,
  client: Client = amsterdam,
  headers: Record<string, string> = {},
) {
  const answer = await call(deps, body, client, headers);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return SubjectAccessAnswerSchema.parse(answer.body);
}

describe('requestSubjectAccess', () => {
  it('answers every event about the pupil in the municipality’s trail, oldest first, and nothing else', async () => {
    const deps = await setup();

    const answer = await ask(deps, { municipality: '0363', pupil: { bsn: BSN } });

    expect(answer.municipality).toBe('0363');
    expect(answer.pupilPseudonym).toBe(PUPIL);
    expect(answer.items.map((e) => [e.sequence, e.id])).toEqual([
      [1, 's1'],
      [4, 'r1'],
      [5, 's1-routed'],
    ]);
    expect(answer.next).toBeUndefined();
    expect(deps.pseudonymizer.calls).toEqual([{ kind: 'bsn', value: BSN }]);
  });

  it('finds a pupil without a BSN by onderwijsnummer', async () => {
    const deps = await setup();
    const pseudonym = FakePseudonymizer.expected('onderwijsnummer', ONDERWIJSNUMMER);
    await deps.audit.append('0363', [draft('o1', 'signal.received', pseudonym)]);

    const answer = await ask(deps, { municipality: '0363', pupil: { onderwijsnummer: ONDERWIJSNUMMER } });

    expect(answer.pupilPseudonym).toBe(pseudonym);
    expect(answer.items.map((e) => e.id)).toEqual(['o1']);
  });

  it('answers an empty page for a pupil the trail does not mention, and still records the request', async () => {
    const deps = await setup();

    const answer = await ask(deps, { municipality: '0363', pupil: { bsn: '999900055' } });

    expect(answer.items).toEqual([]);
    expect(deps.access.records.map((r) => r.change.details)).toEqual([{ eventCount: 0 }]);
  });

  it('lets an admin ask in any municipality', async () => {
    const deps = await setup();

    const answer = await ask(deps, { municipality: '0534', pupil: { bsn: BSN } }, admin);

    expect(answer.items.map((e) => e.id)).toEqual(['h1']);
  });

  it('pages with limit and the previous answer’s next as cursor', async () => {
    const deps = await setup();
    const body = { municipality: '0363', pupil: { bsn: BSN }, limit: 2 };

    const first = await ask(deps, body);
    const second = await ask(deps, { ...body, cursor: first.next });

    expect(first.items.map((e) => e.id)).toEqual(['s1', 'r1']);
    expect(second.items.map((e) => e.id)).toEqual(['s1-routed']);
    expect(second.next).toBeUndefined();
  });

  it('refuses another pupil’s cursor with 400 naming cursor, and records nothing', async () => {
    const deps = await setup();
    await deps.audit.append('0363', [draft('s4', 'signal.received', pseudonymOf(OTHER_BSN))]);
    const theirs = await ask(deps, { municipality: '0363', pupil: { bsn: OTHER_BSN }, limit: 1 });
    const recorded = deps.access.records.length;

    const answer = await call(deps, { municipality: '0363', pupil: { bsn: BSN }, cursor: theirs.next });

    expect(invalidNames(answer)).toEqual(['cursor']);
    expect(deps.access.records).toHaveLength(recorded);
  });

  describe('recording the request (AVG art. 15 requests are themselves accounted for)', () => {
    it('records who asked, why and how many events were answered, in the municipality’s trail', async () => {
      const deps = await setup();

      await ask(deps, { municipality: '0363', pupil: { bsn: BSN } }, amsterdam, { 'Schakel-User': 'mw-017' });

      expect(deps.access.records).toEqual([
        {
          id: '00000000-0000-4000-8000-000000000001',
          municipality: '0363',
          objectType: 'audit-trail',
          objectId: '0363',
          pupilPseudonym: PUPIL,
          change: {
            eventType: 'audit-trail.subject-access',
            at: '2026-11-23T08:00:00.000Z',
            actor: {
              clientId: amsterdam.clientId,
              role: 'municipality',
              organisation: amsterdam.organisation,
              user: 'mw-017',
            },
            purpose: 'subject-access',
            details: { eventCount: 3 },
          },
        },
      ]);
    });

    it('answers 500 and hands out no event when the request cannot be recorded', async () => {
      const deps = await setup();
      deps.access.failNext(new Error('state table unavailable'));

      const answer = await call(deps, { municipality: '0363', pupil: { bsn: BSN } });

      const problem = problemOf(answer, 500);
      expect(JSON.stringify(answer.body)).not.toContain(PUPIL);
      expect(problem.detail).not.toContain('state table');
    });
  });

  describe('who may ask', () => {
    it('answers 404 for a municipality outside the client’s scope, before pseudonymising or reading (Invariant 5)', async () => {
      const deps = await setup();

      const problem = problemOf(await call(deps, { municipality: '0534', pupil: { bsn: BSN } }), 404);

      expect(problem.detail).not.toContain('0534');
      expect(deps.pseudonymizer.calls).toEqual([]);
      expect(deps.audit.pupilQueries).toEqual([]);
      expect(deps.access.records).toEqual([]);
    });

    it('answers another municipality’s code as it answers a municipality without a trail', async () => {
      const deps = await setup();

      const theirs = await call(deps, { municipality: '0534', pupil: { bsn: BSN } });
      const nobodys = await call(deps, { municipality: '0599', pupil: { bsn: BSN } });

      expect(theirs).toEqual(nobodys);
    });

    it.each<[string, Client]>([
      ['a school', schoolClient()],
      ['a provider', teamClient('jgt-amsterdam')],
    ])('answers 403 to %s: the operation is for municipalities and admins only', async (_who, client) => {
      const deps = await setup();

      problemOf(await call(deps, { municipality: '0363', pupil: { bsn: BSN } }, client), 403);

      expect(deps.pseudonymizer.calls).toEqual([]);
      expect(deps.access.records).toEqual([]);
    });
  });

  describe('bad input', () => {
    it.each<[string, unknown, string[]]>([
      ['a BSN failing the 11-proof', { municipality: '0363', pupil: { bsn: '999900044' } }, ['pupil.bsn']],
      ['a BSN of 8 digits', { municipality: '0363', pupil: { bsn: '99990004' } }, ['pupil.bsn']],
      [
        'an onderwijsnummer with the wrong remainder',
        { municipality: '0363', pupil: { onderwijsnummer: '101234565' } },
        ['pupil.onderwijsnummer'],
      ],
      [
        'both a BSN and an onderwijsnummer',
        { municipality: '0363', pupil: { bsn: BSN, onderwijsnummer: ONDERWIJSNUMMER } },
        ['pupil.bsn'],
      ],
      ['neither', { municipality: '0363', pupil: {} }, ['pupil.bsn']],
      ['no pupil', { municipality: '0363' }, ['pupil']],
      [
        'a name instead of an identifier',
        { municipality: '0363', pupil: { name: 'Jan' } },
        ['pupil.name', 'pupil.bsn'],
      ],
      ['no municipality', { pupil: { bsn: BSN } }, ['municipality']],
      ['a municipality not on the CBS list', { municipality: '9999', pupil: { bsn: BSN } }, ['municipality']],
      [
        'a bad municipality and a bad BSN at once',
        { municipality: '363', pupil: { bsn: '123456789' } },
        ['municipality', 'pupil.bsn'],
      ],
      ['limit 0', { municipality: '0363', pupil: { bsn: BSN }, limit: 0 }, ['limit']],
      ['limit as text', { municipality: '0363', pupil: { bsn: BSN }, limit: '10' }, ['limit']],
      ['a garbage cursor', { municipality: '0363', pupil: { bsn: BSN }, cursor: '%%%' }, ['cursor']],
      ['an unknown field', { municipality: '0363', pupil: { bsn: BSN }, bsn: BSN }, ['bsn']],
    ])('answers 400 naming every bad field for %s, and stores nothing', async (_case, body, names) => {
      const deps = await setup();

      const answer = await call(deps, body);

      expect(invalidNames(answer).sort()).toEqual([...names].sort());
      expect(deps.pseudonymizer.calls).toEqual([]);
      expect(deps.audit.pupilQueries).toEqual([]);
      expect(deps.access.records).toEqual([]);
    });

    it('never echoes the identifier in the problem', async () => {
      const deps = await setup();

      const answer = await call(deps, { municipality: '363', pupil: { bsn: '999900044' } });

      expect(JSON.stringify(answer.body)).not.toContain('999900044');
    });
  });

  describe('logs (Invariant 4)', () => {
    const logs = captureLogs();

    it('log the answer by municipality and count, never the identifier or the pseudonym', async () => {
      const deps = await setup();

      await ask(deps, { municipality: '0363', pupil: { bsn: BSN } });
      await call(deps, { municipality: '0363', pupil: { bsn: '999900044' } });
      deps.access.failNext(new Error('state table unavailable'));
      await call(deps, { municipality: '0363', pupil: { bsn: BSN } });

      expect(logs.lines()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ event: 'subject_access_answered', municipality: '0363', eventCount: 3 }),
          expect.objectContaining({ event: 'request_completed', status: 400 }),
        ]),
      );
      const text = logs.text();
      expect(text).not.toContain(BSN);
      expect(text).not.toContain('999900044');
      expect(text).not.toContain(PUPIL);
    });
  });
});
