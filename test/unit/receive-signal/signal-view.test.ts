import { describe, expect, it } from 'vitest';
import { getSignal } from '../../../functions/receive-signal/signal-view.js';
import { NotFoundError } from '../../../functions/shared/errors.js';
import type { Client } from '../../../schemas/client.js';
import { SignalViewSchema } from '../../../schemas/views.js';
import { municipalityClient, schoolClient, teamClient } from '../../helpers/clients.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { InMemoryStateStore } from '../../helpers/fakes.js';
import { rejection } from '../../helpers/rejection.js';

const signal = storedSignal({ status: 'routed', version: 2, referralIds: [storedReferral().id] });
const referral = storedReferral({ status: 'accepted', updatedAt: '2026-11-23T09:00:00.000Z' });

function setup() {
  const signals = new InMemoryStateStore();
  signals.putSignal(signal);
  signals.putReferral(referral);
  return { signals };
}

describe('getSignal', () => {
  it('returns the status and referral summaries of a signal of the client’s school location', async () => {
    const deps = setup();

    const view = await getSignal(deps, { client: schoolClient(), id: signal.id });

    expect(SignalViewSchema.parse(view)).toEqual({
      id: signal.id,
      sourceId: 'lvs-000123',
      requestType: 'referral',
      schoolLocation: '12AB00',
      status: 'routed',
      overallStatus: 'accepted',
      receivedAt: signal.receivedAt,
      updatedAt: signal.updatedAt,
      referrals: [
        {
          id: referral.id,
          teamId: 'jgt-amsterdam',
          status: 'accepted',
          updatedAt: '2026-11-23T09:00:00.000Z',
          history: referral.history,
        },
      ],
    });
  });

  it('shows the team by name, every step with its instant, the rejection reason and the overall status', async () => {
    const rejected = storedReferral({
      status: 'rejected',
      routedBy: 'rule',
      history: [
        { status: 'queued', at: '2026-11-22T10:00:05.000Z' },
        { status: 'delivered', at: '2026-11-22T11:00:00.000Z' },
        {
          status: 'rejected',
          at: '2026-11-23T09:00:00.000Z',
          reason: 'Past beter bij het veiligheidsteam.',
          suggestedTeamId: 'jgt-hillegom',
        },
      ],
      dueAt: '2026-12-06T10:00:00.000Z',
    });
    const next = storedReferral({
      id: '7e1d9d5f-7a1b-4d64-8a2f-00000000000b',
      teamId: 'jgt-hillegom',
      status: 'started',
      routedBy: 'suggestion',
      dueAt: '2026-12-06T10:00:00.000Z',
      overdueAt: '2026-12-06T11:00:00.000Z',
    });
    const signals = new InMemoryStateStore();
    signals.putSignal({ ...signal, referralIds: [rejected.id, next.id] });
    signals.putReferral(rejected);
    signals.putReferral(next);
    const teamNames = new Map([
      ['jgt-amsterdam', 'JGT Amsterdam'],
      ['jgt-hillegom', 'JGT Hillegom'],
    ]);

    const view = await getSignal({ signals, teamNames }, { client: schoolClient(), id: signal.id });

    expect(SignalViewSchema.parse(view)).toMatchObject({
      status: 'routed',
      overallStatus: 'in-progress',
      referrals: [
        {
          teamName: 'JGT Amsterdam',
          routedBy: 'rule',
          rejectionReason: 'Past beter bij het veiligheidsteam.',
          history: rejected.history,
          overdue: false,
        },
        // Escalated once, but help has started since: no longer overdue.
        { teamName: 'JGT Hillegom', routedBy: 'suggestion', status: 'started', overdue: false },
      ],
    });
    expect(view.referrals[1]).not.toHaveProperty('rejectionReason');
  });

  it.each([
    ['unroutable', 'no-rule', [], 'unroutable'],
    ['routed', undefined, ['queued'], 'routed'],
    ['routed', undefined, ['rejected', 'accepted'], 'accepted'],
    ['routed', undefined, ['rejected', 'closed'], 'closed'],
    ['withdrawn', undefined, ['withdrawn'], 'withdrawn'],
  ] as const)(
    'gives a %s signal (%s) with referrals %j the overall status %s',
    async (status, reason, statuses, overall) => {
      const signals = new InMemoryStateStore();
      const referrals = statuses.map((s, i) =>
        storedReferral({ id: `7e1d9d5f-7a1b-4d64-8a2f-00000000001${i}`, status: s }),
      );
      signals.putSignal({
        ...signal,
        status,
        ...(reason ? { unroutableReason: reason } : {}),
        referralIds: referrals.map((r) => r.id),
      });
      for (const r of referrals) signals.putReferral(r);

      const view = await getSignal({ signals }, { client: schoolClient(), id: signal.id });

      expect(view.overallStatus).toBe(overall);
      expect(view.unroutableReason).toBe(reason);
    },
  );

  it('shows the school no pupil data', async () => {
    const deps = setup();

    const view = await getSignal(deps, { client: schoolClient(), id: signal.id });

    const text = JSON.stringify(view);
    for (const secret of ['999900018', '2015-03-14', '1011AB', 'J. de Vries', 'Frequent absence', 'pp-']) {
      expect(text).not.toContain(secret);
    }
  });

  it('answers NotFoundError, exactly as for an unknown id, when the signal is another school’s (Invariant 5)', async () => {
    const deps = setup();
    const otherSchool = schoolClient({ clientId: 'school-2', scope: { schoolLocations: ['34CD00'] } });

    const foreign = await rejection(getSignal(deps, { client: otherSchool, id: signal.id }));
    const unknown = await rejection(
      getSignal(deps, { client: schoolClient(), id: '00000000-0000-4000-8000-00000000abcd' }),
    );

    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(foreign.message).toBe(unknown.message);
  });

  it.each<[string, Client]>([
    ['provider', teamClient('jgt-amsterdam')],
    ['municipality', municipalityClient(['0363'])],
    ['admin', { ...schoolClient(), role: 'admin' }],
  ])(
    'answers NotFoundError to a %s client, even one naming the location in its scope',
    async (_role, client) => {
      const deps = setup();

      const error = await rejection(
        getSignal(deps, {
          client: { ...client, scope: { ...client.scope, schoolLocations: ['12AB00'] } },
          id: signal.id,
        }),
      );

      expect(error).toBeInstanceOf(NotFoundError);
    },
  );
});
