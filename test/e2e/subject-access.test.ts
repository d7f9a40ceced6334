import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuditPageSchema } from '../../schemas/audit-event.js';
import { ProblemSchema } from '../../schemas/problem.js';
import { type SubjectAccessAnswer, SubjectAccessAnswerSchema } from '../../schemas/subject-access.js';
import { referralSubmission } from '../helpers/factories.js';
import { call, eventually, localConfig, municipality, school } from './api-client.js';

// Subject access over HTTP against local mode: two pupils' signals go through the real hub (routing,
// the state table's stream, write-audit, the byPupil index), and a request for one of them answers
// that pupil's events only — and, once the stream has carried it, the request itself.

/** Rotterdam has no routing rule in the demo config: the signals are parked, no team queue is touched. */
const MUNICIPALITY = '0599';

/** A fresh BSN in the test range 9999xxxxx that passes the 11-proof. */
function testBsn(): string {
  for (;;) {
    const first = `9999${String(randomInt(0, 10_000)).padStart(4, '0')}`;
    const sum = [...first].reduce((s, d, i) => s + (9 - i) * Number(d), 0);
    const check = sum % 11;
    if (check <= 9) return `${first}${check}`;
  }
}

function adminKey(): string {
  const client = localConfig.clients.find((c) => c.role === 'admin');
  if (!client) throw new Error('local.json has no admin client');
  return client.apiKey;
}

const ask = (body: unknown, apiKey = adminKey()) =>
  call('POST', '/v1/subject-access-requests', { apiKey, body });

async function subjectAccess(bsn: string): Promise<SubjectAccessAnswer> {
  const answer = await ask({ municipality: MUNICIPALITY, pupil: { bsn } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return SubjectAccessAnswerSchema.parse(answer.body);
}

async function submit(bsn: string): Promise<void> {
  const body = referralSubmission({
    sourceId: `lvs-sar-${randomUUID()}`,
    pupil: { bsn, municipality: MUNICIPALITY, postcode: '3011AA' },
  });
  const answer = await call('POST', '/v1/signals', { apiKey: school().apiKey, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
}

describe('POST /v1/subject-access-requests', () => {
  it('answers one pupil’s events and none of another’s, then shows the request itself', async () => {
    const mine = testBsn();
    let theirs = testBsn();
    while (theirs === mine) theirs = testBsn();
    await submit(mine);
    await submit(theirs);

    // Received, then parked as unroutable: both through the stream into the trail.
    const first = await eventually(async () => {
      const answer = await subjectAccess(mine);
      return answer.items.some((e) => e.eventType === 'signal.unroutable') ? answer : undefined;
    }, 60_000);
    const other = await subjectAccess(theirs);

    // Each poll above was itself a subject access, recorded in the trail too.
    const signalEvents = first.items.filter((e) => e.object.type === 'signal').map((e) => e.eventType);
    expect(signalEvents).toEqual(['signal.received', 'signal.unroutable']);
    expect(
      first.items.every((e) => e.object.type === 'signal' || e.eventType === 'audit-trail.subject-access'),
    ).toBe(true);
    expect(first.items.every((e) => e.object.pupilPseudonym === first.pupilPseudonym)).toBe(true);
    expect(other.pupilPseudonym).not.toBe(first.pupilPseudonym);
    expect(JSON.stringify(first)).not.toContain(other.pupilPseudonym);
    expect(JSON.stringify(first)).not.toContain(mine);

    const later = await eventually(async () => {
      const answer = await subjectAccess(mine);
      return answer.items.some((e) => e.eventType === 'audit-trail.subject-access') ? answer : undefined;
    }, 60_000);
    expect(later.items.find((e) => e.eventType === 'audit-trail.subject-access')).toMatchObject({
      action: 'R',
      purpose: 'subject-access',
      actor: { role: 'admin' },
      object: { type: 'audit-trail', id: MUNICIPALITY, pupilPseudonym: first.pupilPseudonym },
    });
  });

  it('records a read of the trail as an audit-trail.read event in it, naming the reader', async () => {
    const reader = `mw-${randomInt(100_000, 1_000_000)}`;
    const listed = await call('GET', `/v1/audit-events?municipality=${MUNICIPALITY}&limit=1`, {
      apiKey: adminKey(),
      headers: { 'Schakel-User': reader },
    });
    expect(listed.status).toBe(200);

    const read = await eventually(async () => {
      let cursor: string | undefined;
      do {
        const query = `municipality=${MUNICIPALITY}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
        const page = AuditPageSchema.parse(
          (await call('GET', `/v1/audit-events?${query}`, { apiKey: adminKey() })).body,
        );
        const found = page.items.find((e) => e.actor.user === reader);
        if (found) return found;
        cursor = page.next;
      } while (cursor);
      return undefined;
    }, 60_000);

    expect(read).toMatchObject({
      action: 'R',
      eventType: 'audit-trail.read',
      purpose: 'accountability',
      object: { type: 'audit-trail', id: MUNICIPALITY },
      details: { count: 1 },
    });
  });

  it('answers another municipality’s client 404 and a malformed BSN 400 naming pupil.bsn', async () => {
    const hillegom = municipality('0534').apiKey;

    const foreign = await ask({ municipality: MUNICIPALITY, pupil: { bsn: testBsn() } }, hillegom);
    const malformed = await ask({ municipality: '0534', pupil: { bsn: '999900044' } }, hillegom);

    expect(foreign.status).toBe(404);
    expect(malformed.status).toBe(400);
    expect(ProblemSchema.parse(malformed.body).invalidParams?.map((p) => p.name)).toEqual(['pupil.bsn']);
    expect(JSON.stringify(malformed.body)).not.toContain('999900044');
  });
});
