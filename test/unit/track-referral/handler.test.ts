import { describe, expect, it } from 'vitest';
import { invalidNames, problemOf } from '../../helpers/api-calls.js';
import { municipalityClient, schoolClient, teamClient } from '../../helpers/clients.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { fakeHub } from '../../helpers/fake-hub.js';

// The team's operations through track-referral's own handler on fakes: validation, roles and
// the answers on the wire.

const team = teamClient('jgt-amsterdam');
const referral = storedReferral({ status: 'delivered', version: 2 });

function hubWithReferral() {
  const hub = fakeHub();
  hub.store.putSignal(storedSignal({ status: 'routed', version: 2, referralIds: [referral.id] }));
  hub.store.putReferral(referral);
  return hub;
}

describe('track-referral handler', () => {
  describe('recordReferralEvent', () => {
    it.each<[string, unknown, string]>([
      ['a rejection without reason', { type: 'rejected' }, 'reason'],
      ['a rejection with a blank reason', { type: 'rejected', reason: '   ' }, 'reason'],
      ['withdrawn, which only the school can do', { type: 'withdrawn' }, 'type'],
      ['an unknown type', { type: 'finished' }, 'type'],
      ['an unknown field', { type: 'accepted', note: 'x' }, 'note'],
      ['a reason with a lone surrogate', { type: 'rejected', reason: 'x\ud800y' }, 'reason'],
      ['a reason with a control character', { type: 'rejected', reason: 'nee\u0000' }, 'reason'],
    ])('answers %s 400 naming the field, and writes nothing', async (_case, body, name) => {
      const hub = hubWithReferral();

      const answer = await hub.call('recordReferralEvent', { client: team, path: { id: referral.id }, body });

      expect(invalidNames(answer)).toEqual([name]);
      expect(hub.store.writes).toEqual([]);
    });

    it('answers no body 400 "(body) is required"', async () => {
      const hub = hubWithReferral();

      const answer = await hub.call('recordReferralEvent', { client: team, path: { id: referral.id } });

      expect(problemOf(answer, 400).invalidParams).toEqual([{ name: '(body)', reason: 'is required' }]);
    });

    it('answers 200 with the referral’s new state and no pupil data', async () => {
      const hub = hubWithReferral();

      const answer = await hub.call('recordReferralEvent', {
        client: team,
        path: { id: referral.id },
        body: { type: 'accepted' },
      });

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ id: referral.id, status: 'accepted' });
      expect(JSON.stringify(answer.body)).not.toContain('999900018');
    });

    it('answers a forbidden transition 409', async () => {
      const hub = hubWithReferral();

      const answer = await hub.call('recordReferralEvent', {
        client: team,
        path: { id: referral.id },
        body: { type: 'closed' },
      });

      expect(problemOf(answer, 409).detail).toBe(
        'Cannot record closed: closed is not possible from delivered.',
      );
    });
  });

  describe('getReferral', () => {
    it.each(['abc', 'REFERRAL#1', `${referral.id}x`])('answers 400 naming id for %j', async (id) => {
      const hub = hubWithReferral();

      expect(invalidNames(await hub.call('getReferral', { client: team, path: { id } }))).toEqual(['id']);
      expect(hub.deps.access.records).toEqual([]);
    });

    it.each([
      ['a school', schoolClient()],
      ['a municipality', municipalityClient(['0363'])],
    ])('answers 403 to %s and records no read', async (_who, client) => {
      const hub = hubWithReferral();

      problemOf(await hub.call('getReferral', { client, path: { id: referral.id } }), 403);

      expect(hub.deps.access.records).toEqual([]);
    });

    it('answers another team’s referral 404, exactly like an unknown id, and records no read', async () => {
      const hub = hubWithReferral();

      const foreign = await hub.call('getReferral', {
        client: teamClient('jgt-hillegom'),
        path: { id: referral.id },
      });
      const unknown = await hub.call('getReferral', {
        client: team,
        path: { id: '00000000-0000-4000-8000-00000000dead' },
      });

      expect(problemOf(foreign, 404)).toEqual(problemOf(unknown, 404));
      expect(hub.deps.access.records).toEqual([]);
    });
  });

  describe('listReferrals', () => {
    it.each<[Record<string, string>, string]>([
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ limit: '2.5' }, 'limit'],
      [{ status: 'finished' }, 'status'],
      [{ cursor: 'x'.repeat(2049) }, 'cursor'],
      [{ cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
      [{ format: 'csv' }, 'format'],
    ])('answers 400 naming the parameter for %j', async (query, name) => {
      const hub = hubWithReferral();

      expect(invalidNames(await hub.call('listReferrals', { client: team, query }))).toEqual([name]);
    });

    it('reads the limit and status from the query', async () => {
      const hub = hubWithReferral();

      const answer = await hub.call('listReferrals', {
        client: team,
        query: { limit: '1', status: 'delivered' },
      });

      expect(answer.status).toBe(200);
      expect((answer.body as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([referral.id]);
    });
  });
});
