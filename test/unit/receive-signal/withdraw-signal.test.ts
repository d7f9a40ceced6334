import { describe, expect, it, vi } from 'vitest';
import type { ReferralStatus } from '../../../domain/referral-state.js';
import { withdrawSignal } from '../../../functions/receive-signal/withdraw-signal.js';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../../../functions/shared/errors.js';
import type { StoredReferral, StoredSignal } from '../../../functions/shared/model.js';
import type { Client } from '../../../schemas/client.js';
import { ReferralCloudEventSchema } from '../../../schemas/cloud-event.js';
import { schoolClient } from '../../helpers/clients.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { FakeTeamQueue, fixedClock, InMemoryStateStore } from '../../helpers/fakes.js';
import { rejection } from '../../helpers/rejection.js';

const NOW = '2026-11-24T08:15:00.000Z';
const REF_A = '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d0a';
const REF_B = '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d0b';
const REF_C = '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d0c';

function setup(signal: StoredSignal, referrals: StoredReferral[] = []) {
  const signals = new InMemoryStateStore();
  signals.putSignal(signal);
  for (const r of referrals) signals.putReferral(r);
  return { signals, teams: new FakeTeamQueue(), deployment: 'demo', now: fixedClock(NOW) };
}

type Deps = ReturnType<typeof setup>;

/** A signal routed to one team, whose referral is in `status`. */
function routed(status: ReferralStatus = 'queued') {
  const referral = storedReferral({ id: REF_A, status, version: status === 'queued' ? 1 : 2 });
  return { signal: storedSignal({ status: 'routed', version: 2, referralIds: [REF_A] }), referral };
}

const withdraw = (deps: Deps, id: string, body?: { reason?: string }, client: Client = schoolClient()) =>
  withdrawSignal(deps, { client, user: 'ib.devries', id, reason: body?.reason });

describe('withdrawSignal', () => {
  describe('a routed signal', () => {
    it('withdraws the signal and its open referral and answers with the new state', async () => {
      const { signal, referral } = routed('delivered');
      const deps = setup(signal, [referral]);

      const view = await withdraw(deps, signal.id);

      expect(view).toMatchObject({
        id: signal.id,
        status: 'withdrawn',
        updatedAt: NOW,
        referrals: [{ id: REF_A, teamId: 'jgt-amsterdam', status: 'withdrawn', updatedAt: NOW }],
      });
      expect(deps.signals.allSignals()[0]).toMatchObject({ status: 'withdrawn', version: 3 });
      expect(deps.signals.allReferrals()[0]).toMatchObject({ status: 'withdrawn', version: 3 });
    });

    it('publishes nl.schakel.referral.withdrawn.v1 to the team of the referral', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);

      await withdraw(deps, signal.id);

      expect(deps.teams.published).toHaveLength(1);
      const [{ teamId, event }] = deps.teams.published as [{ teamId: string; event: unknown }];
      expect(teamId).toBe('jgt-amsterdam');
      expect(ReferralCloudEventSchema.parse(event)).toMatchObject({
        id: `${REF_A}:withdrawn`,
        type: 'nl.schakel.referral.withdrawn.v1',
        source: 'urn:schakel:demo',
        subject: REF_A,
        time: NOW,
        data: { referralId: REF_A, signalId: signal.id, teamId: 'jgt-amsterdam' },
      });
    });

    it('withdraws and announces each open referral and leaves an ended one alone', async () => {
      const signal = storedSignal({ status: 'routed', version: 4, referralIds: [REF_A, REF_B, REF_C] });
      const deps = setup(signal, [
        storedReferral({ id: REF_A, status: 'rejected', version: 2 }),
        storedReferral({ id: REF_B, teamId: 'cjg-veiligheid', status: 'queued' }),
        storedReferral({ id: REF_C, teamId: 'jgt-hillegom', status: 'started', version: 4 }),
      ]);

      await withdraw(deps, signal.id);

      expect(deps.teams.published.map((p) => [p.teamId, p.event.id])).toEqual([
        ['cjg-veiligheid', `${REF_B}:withdrawn`],
        ['jgt-hillegom', `${REF_C}:withdrawn`],
      ]);
      expect(deps.signals.allReferrals().map((r) => [r.id, r.status])).toEqual([
        [REF_A, 'rejected'],
        [REF_B, 'withdrawn'],
        [REF_C, 'withdrawn'],
      ]);
    });

    it('keeps the reason in the referral history only, not in the change record the audit reads', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);

      await withdraw(deps, signal.id, { reason: 'Ouders verhuizen naar Utrecht' });

      const stored = deps.signals.allReferrals()[0];
      expect(stored?.history.at(-1)).toEqual({
        status: 'withdrawn',
        at: NOW,
        reason: 'Ouders verhuizen naar Utrecht',
      });
      expect(JSON.stringify(stored?.lastChange)).not.toContain('Utrecht');
      expect(JSON.stringify(deps.signals.allSignals()[0]?.lastChange)).not.toContain('Utrecht');
      expect(JSON.stringify(deps.teams.published)).not.toContain('Utrecht');
    });

    it('attributes the withdrawal to the school client and user', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);

      await withdraw(deps, signal.id);

      expect(deps.signals.allSignals()[0]?.lastChange).toEqual({
        eventType: 'signal.withdrawn',
        at: NOW,
        actor: {
          clientId: 'school-1',
          role: 'school',
          organisation: 'Stichting De Regenboog',
          user: 'ib.devries',
        },
        onBehalfOf: { schoolLocation: '12AB00' },
        details: { fromStatus: 'routed', openReferrals: 1 },
      });
    });

    it.each<ReferralStatus[]>([['closed'], ['rejected'], ['withdrawn']])(
      'raises ConflictError and changes nothing when its only referral has ended (%s)',
      async (status) => {
        const { signal, referral } = routed(status);
        const deps = setup(signal, [referral]);

        const error = await rejection(withdraw(deps, signal.id));

        expect(error).toBeInstanceOf(ConflictError);
        expect(deps.signals.writes).toEqual([]);
        expect(deps.teams.published).toEqual([]);
      },
    );

    it('withdraws what is stored then when a team changed the referral meanwhile (consent must not wait)', async () => {
      const { signal, referral } = routed('delivered');
      const deps = setup(signal, [referral]);
      deps.signals.beforeNextWrite(() =>
        deps.signals.putReferral({ ...referral, status: 'accepted', version: referral.version + 1 }),
      );

      const view = await withdraw(deps, signal.id);

      expect(view.status).toBe('withdrawn');
      expect(deps.signals.allSignals()[0]?.status).toBe('withdrawn');
      // Withdrawn from the status the team's change left (version + 1), as a second step.
      expect(deps.signals.allReferrals()[0]).toMatchObject({
        status: 'withdrawn',
        version: referral.version + 2,
      });
      expect(deps.teams.published.map((p) => p.event.type)).toEqual(['nl.schakel.referral.withdrawn.v1']);
    });

    it('raises ConflictError and writes nothing when changes keep winning the race', async () => {
      const { signal, referral } = routed('delivered');
      const deps = setup(signal, [referral]);
      let version = referral.version;
      const another = () => {
        version += 1;
        deps.signals.putReferral({ ...referral, status: 'delivered', version });
        deps.signals.beforeNextWrite(another);
      };
      deps.signals.beforeNextWrite(another);

      const error = await rejection(withdraw(deps, signal.id));

      expect(error).toBeInstanceOf(ConflictError);
      expect(deps.signals.allSignals()[0]?.status).toBe('routed');
      expect(deps.teams.published).toEqual([]);
    });

    it('answers as a repeat, not a conflict, when a parallel withdrawal of the same signal won', async () => {
      const { signal, referral } = routed('delivered');
      const deps = setup(signal, [referral]);
      deps.signals.beforeNextWrite(() => {
        deps.signals.putSignal({ ...signal, status: 'withdrawn', version: signal.version + 1 });
        deps.signals.putReferral({ ...referral, status: 'withdrawn', version: referral.version + 1 });
      });

      const view = await withdraw(deps, signal.id);

      expect(view.status).toBe('withdrawn');
      expect(view.referrals.map((r) => r.status)).toEqual(['withdrawn']);
      expect(deps.signals.writes).toEqual([]);
      expect(deps.teams.published.map((p) => p.event.id)).toEqual([`${REF_A}:withdrawn`]);
    });

    it('answers as a repeat when the referrals ended by a parallel withdrawal between its two reads', async () => {
      const { signal, referral } = routed('delivered');
      const deps = setup({ ...signal, status: 'withdrawn', version: 3 }, [
        { ...referral, status: 'withdrawn', version: referral.version + 1 },
      ]);
      // The first read still saw the signal routed: the other withdrawal committed right after it.
      vi.spyOn(deps.signals, 'getSignal').mockResolvedValueOnce(signal);

      const view = await withdraw(deps, signal.id);

      expect(view.status).toBe('withdrawn');
      expect(deps.signals.writes).toEqual([]);
    });
  });

  describe('a signal not routed (yet)', () => {
    it.each(['received', 'unroutable'] as const)(
      'withdraws a %s signal without notifying any team',
      async (status) => {
        const deps = setup(storedSignal({ status }));

        const view = await withdraw(deps, storedSignal().id);

        expect(view.status).toBe('withdrawn');
        expect(deps.signals.writes).toEqual(['commit']);
        expect(deps.teams.published).toEqual([]);
      },
    );
  });

  describe('a repeated withdrawal', () => {
    it('answers with the withdrawn state again without writing', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);
      const first = await withdraw(deps, signal.id);

      const second = await withdraw(deps, signal.id);

      expect(second).toEqual(first);
      expect(deps.signals.writes).toEqual(['commit']);
    });

    it('re-sends the same withdrawn CloudEvent, so a notice lost the first time arrives', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);
      await withdraw(deps, signal.id);

      await withdraw(deps, signal.id);

      expect(deps.teams.published).toHaveLength(2);
      expect(deps.teams.published[1]).toEqual(deps.teams.published[0]);
    });
  });

  describe('when a team cannot be notified', () => {
    it('raises ServiceUnavailableError while the withdrawal itself is stored', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);
      deps.teams.failNext();

      const error = await rejection(withdraw(deps, signal.id));

      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(deps.signals.allSignals()[0]?.status).toBe('withdrawn');
      expect(deps.signals.allReferrals()[0]?.status).toBe('withdrawn');
    });

    it('delivers the notice when the school sends the withdrawal again', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);
      deps.teams.failNext();
      await rejection(withdraw(deps, signal.id));

      await withdraw(deps, signal.id);

      expect(deps.teams.published.map((p) => p.event.id)).toEqual([`${REF_A}:withdrawn`]);
    });
  });

  describe('requests it refuses', () => {
    it('answers NotFoundError and writes nothing for another school’s signal (Invariant 5)', async () => {
      const { signal, referral } = routed();
      const deps = setup(signal, [referral]);
      const other = schoolClient({ clientId: 'school-2', scope: { schoolLocations: ['34CD00'] } });

      const error = await rejection(withdraw(deps, signal.id, undefined, other));

      expect(error).toBeInstanceOf(NotFoundError);
      expect(deps.signals.writes).toEqual([]);
      expect(deps.teams.published).toEqual([]);
    });
  });
});
