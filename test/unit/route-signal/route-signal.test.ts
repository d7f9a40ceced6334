import { describe, expect, it } from 'vitest';
import { derivedUuid } from '../../../domain/ids.js';
import { routeSignal, SignalMissingError } from '../../../functions/route-signal/route-signal.js';
import type { StoredSignal } from '../../../functions/shared/model.js';
import { ReferralCloudEventSchema } from '../../../schemas/cloud-event.js';
import type { DeploymentConfig } from '../../../schemas/deployment-config.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';
import { FakeTeamQueue, fixedClock, InMemoryStateStore } from '../../helpers/fakes.js';
import { rejection } from '../../helpers/rejection.js';

const NOW = '2026-11-22T10:00:05.000Z';

const config: DeploymentConfig = {
  deployment: 'demo',
  teams: [
    { id: 'jgt-amsterdam', name: 'JGT Amsterdam Centrum', kind: 'jgt', organisation: 'OKT Amsterdam' },
    { id: 'cjg-veiligheid', name: 'CJG Veiligheid', kind: 'cjg', organisation: 'OKT Amsterdam' },
  ],
  routingRules: [
    { id: 'amsterdam-default', municipality: '0363', teamId: 'jgt-amsterdam' },
    { id: 'amsterdam-safety', municipality: '0363', teamId: 'cjg-veiligheid', concerns: ['safety'] },
  ],
};

const signal = storedSignal();
const referralId = derivedUuid('referral', signal.id, 'jgt-amsterdam');

function setup(stored: StoredSignal | 'none' = signal) {
  const signals = new InMemoryStateStore();
  if (stored !== 'none') signals.putSignal(stored);
  return { signals, teams: new FakeTeamQueue(), config, now: fixedClock(NOW) };
}

describe('routeSignal', () => {
  describe('a routable signal', () => {
    it('creates one queued referral with an id derived from signal and team, and marks the signal routed', async () => {
      const deps = setup();

      const outcome = await routeSignal(deps, signal.id);

      expect(outcome).toBe('routed');
      expect(deps.signals.allReferrals()).toEqual([
        expect.objectContaining({
          id: referralId,
          signalId: signal.id,
          teamId: 'jgt-amsterdam',
          municipality: '0363',
          ruleId: 'amsterdam-default',
          status: 'queued',
          requestType: 'referral',
          pupilPseudonym: signal.pupilPseudonym,
          history: [{ status: 'queued', at: NOW }],
          createdAt: NOW,
          version: 1,
        }),
      ]);
      expect(deps.signals.allSignals()[0]).toMatchObject({
        status: 'routed',
        referralIds: [referralId],
        version: 2,
      });
    });

    it('attributes the referral to the system on behalf of school and team', async () => {
      const deps = setup();

      await routeSignal(deps, signal.id);

      expect(deps.signals.allReferrals()[0]?.lastChange).toEqual({
        eventType: 'referral.queued',
        at: NOW,
        actor: { clientId: 'schakel', role: 'system', organisation: 'Schakel' },
        onBehalfOf: { schoolLocation: '12AB00', teamId: 'jgt-amsterdam' },
        details: {
          teamId: 'jgt-amsterdam',
          ruleId: 'amsterdam-default',
          routedBy: 'rule',
          organisation: 'OKT Amsterdam',
        },
      });
    });

    it('publishes a valid queued CloudEvent to the team’s queue', async () => {
      const deps = setup();

      await routeSignal(deps, signal.id);

      expect(deps.teams.published).toHaveLength(1);
      const { teamId, event } = deps.teams.published[0] as (typeof deps.teams.published)[number];
      expect(teamId).toBe('jgt-amsterdam');
      expect(ReferralCloudEventSchema.parse(event)).toEqual({
        specversion: '1.0',
        id: `${referralId}:queued`,
        source: 'urn:schakel:demo',
        type: 'nl.schakel.referral.queued.v1',
        subject: referralId,
        time: NOW,
        datacontenttype: 'application/json',
        data: {
          referralId,
          signalId: signal.id,
          teamId: 'jgt-amsterdam',
          municipality: '0363',
          requestType: 'referral',
          urgency: 'regular',
          concerns: ['absence', 'home-situation'],
          href: `/v1/referrals/${referralId}`,
        },
      });
    });

    it('puts no pupil identity or free text in the CloudEvent', async () => {
      const deps = setup();

      await routeSignal(deps, signal.id);

      const text = JSON.stringify(deps.teams.published);
      for (const secret of [
        '999900018',
        '2015-03-14',
        '1011AB',
        'J. de Vries',
        'ib@school.example',
        'Frequent absence',
        signal.pupilPseudonym as string,
      ]) {
        expect(text).not.toContain(secret);
      }
    });

    it('sends a safety concern to the team of the more specific rule', async () => {
      const deps = setup(storedSignal({ concerns: ['safety'] }));

      await routeSignal(deps, signal.id);

      expect(deps.signals.allReferrals().map((r) => [r.teamId, r.ruleId])).toEqual([
        ['cjg-veiligheid', 'amsterdam-safety'],
      ]);
      expect(deps.teams.published.map((p) => p.teamId)).toEqual(['cjg-veiligheid']);
    });
  });

  describe('run again for the same signal (at-least-once delivery)', () => {
    it('keeps one referral and publishes the same CloudEvent again', async () => {
      const deps = setup();
      await routeSignal(deps, signal.id);

      const outcome = await routeSignal(deps, signal.id);

      expect(outcome).toBe('routed');
      expect(deps.signals.allReferrals()).toHaveLength(1);
      expect(deps.signals.writes).toEqual(['commit']);
      expect(deps.teams.published).toHaveLength(2);
      expect(deps.teams.published[1]).toEqual(deps.teams.published[0]);
    });

    it('does not publish again once the team has moved the referral on', async () => {
      const deps = setup();
      await routeSignal(deps, signal.id);
      const [referral] = deps.signals.allReferrals();
      if (!referral) throw new Error('no referral');
      deps.signals.putReferral({ ...referral, status: 'delivered', version: 2 });

      await routeSignal(deps, signal.id);

      expect(deps.teams.published).toHaveLength(1);
    });

    it('publishes the referral a concurrent run created when it loses the race to route', async () => {
      const deps = setup();
      const referral = storedReferral({ id: referralId, createdAt: NOW });
      deps.signals.beforeNextWrite(() => {
        deps.signals.putReferral(referral);
        deps.signals.putSignal({ ...signal, status: 'routed', version: 2, referralIds: [referralId] });
      });

      const outcome = await routeSignal(deps, signal.id);

      expect(outcome).toBe('routed');
      expect(deps.signals.allReferrals()).toHaveLength(1);
      expect(deps.teams.published.map((p) => p.event.id)).toEqual([`${referralId}:queued`]);
    });
  });

  describe('a withdrawn signal', () => {
    it('publishes nothing and writes nothing when the school withdrew before routing', async () => {
      const deps = setup(storedSignal({ status: 'withdrawn', version: 2 }));

      const outcome = await routeSignal(deps, signal.id);

      expect(outcome).toBe('withdrawn');
      expect(deps.teams.published).toEqual([]);
      expect(deps.signals.writes).toEqual([]);
    });

    it('publishes nothing when the school withdraws between the read and the routing write', async () => {
      const deps = setup();
      deps.signals.beforeNextWrite(() =>
        deps.signals.putSignal({ ...signal, status: 'withdrawn', version: 2 }),
      );

      const outcome = await routeSignal(deps, signal.id);

      expect(outcome).toBe('withdrawn');
      expect(deps.signals.allReferrals()).toEqual([]);
      expect(deps.teams.published).toEqual([]);
    });
  });

  describe('an unroutable signal', () => {
    const hillegom = storedSignal({ municipality: '0534' });

    it('parks the signal as unroutable, visibly attributed to the system, and publishes nothing', async () => {
      const deps = setup(hillegom);

      const outcome = await routeSignal(deps, hillegom.id);

      expect(outcome).toBe('unroutable');
      expect(deps.signals.allSignals()[0]).toMatchObject({
        status: 'unroutable',
        version: 2,
        updatedAt: NOW,
        lastChange: {
          eventType: 'signal.unroutable',
          at: NOW,
          actor: { clientId: 'schakel', role: 'system' },
          details: { reason: 'no-rule' },
        },
      });
      expect(deps.signals.allReferrals()).toEqual([]);
      expect(deps.teams.published).toEqual([]);
    });

    it('changes nothing when it runs again for an unroutable signal', async () => {
      const deps = setup(hillegom);
      await routeSignal(deps, hillegom.id);

      const outcome = await routeSignal(deps, hillegom.id);

      expect(outcome).toBe('unroutable');
      expect(deps.signals.writes).toEqual(['commit']);
      expect(deps.teams.published).toEqual([]);
    });
  });

  describe('calls to the store and the team queue per signal', () => {
    /** `deps` whose store and team queue record each call by name; arranging through `deps` is not counted. */
    function counting(deps: ReturnType<typeof setup>) {
      const calls: string[] = [];
      const count = <T extends object>(target: T): T =>
        new Proxy(target, {
          get(object, key) {
            const value = Reflect.get(object, key);
            if (typeof value !== 'function') return value;
            return (...args: unknown[]) => {
              calls.push(String(key));
              return value.apply(object, args);
            };
          },
        });
      return { calls, deps: { ...deps, signals: count(deps.signals), teams: count(deps.teams) } };
    }

    const routedBefore = async (deps: ReturnType<typeof setup>) => {
      await routeSignal(deps, signal.id);
    };
    const movedOnBefore = async (deps: ReturnType<typeof setup>) => {
      await routeSignal(deps, signal.id);
      const [referral] = deps.signals.allReferrals();
      if (referral) deps.signals.putReferral({ ...referral, status: 'delivered', version: 2 });
    };
    const racedBy = async (deps: ReturnType<typeof setup>) => {
      deps.signals.beforeNextWrite(() => {
        deps.signals.putReferral(storedReferral({ id: referralId, createdAt: NOW }));
        deps.signals.putSignal({ ...signal, status: 'routed', version: 2, referralIds: [referralId] });
      });
    };

    it.each<[string, StoredSignal, (deps: ReturnType<typeof setup>) => Promise<void>, string[]]>([
      [
        'routed: read, commit, publish — no re-read',
        signal,
        async () => {},
        ['getSignal', 'commit', 'publish'],
      ],
      ['redelivered after routing', signal, routedBefore, ['getSignal', 'getReferrals', 'publish']],
      [
        'redelivered after the team moved the referral on',
        signal,
        movedOnBefore,
        ['getSignal', 'getReferrals'],
      ],
      [
        'another delivery routed it between read and commit: one re-read',
        signal,
        racedBy,
        ['getSignal', 'commit', 'getSignalWithReferrals', 'publish'],
      ],
      ['unroutable', storedSignal({ municipality: '0534' }), async () => {}, ['getSignal', 'commit']],
      [
        'withdrawn before routing',
        storedSignal({ status: 'withdrawn', version: 2 }),
        async () => {},
        ['getSignal'],
      ],
    ])('%s', async (_, stored, arrange, expected) => {
      const deps = setup(stored);
      await arrange(deps);
      const counted = counting(deps);

      await routeSignal(counted.deps, stored.id);

      expect(counted.calls).toEqual(expected);
    });
  });

  describe('failures that must lead to a retry', () => {
    it('throws SignalMissingError when the signal does not exist', async () => {
      const deps = setup('none');

      const error = await rejection(routeSignal(deps, signal.id));

      expect(error).toBeInstanceOf(SignalMissingError);
      expect(error.name).toBe('SignalMissingError');
      expect(deps.teams.published).toEqual([]);
    });

    it('throws when publishing fails, after the referral is stored', async () => {
      const deps = setup();
      const failure = new Error('SQS unavailable');
      deps.teams.failNext(failure);

      const error = await rejection(routeSignal(deps, signal.id));

      expect(error).toBe(failure);
      expect(deps.signals.allReferrals().map((r) => r.id)).toEqual([referralId]);
    });

    it('publishes the referral when the message is delivered again after a failed publish', async () => {
      const deps = setup();
      deps.teams.failNext();
      await rejection(routeSignal(deps, signal.id));

      const outcome = await routeSignal(deps, signal.id);

      expect(outcome).toBe('routed');
      expect(deps.teams.published.map((p) => p.event.id)).toEqual([`${referralId}:queued`]);
      expect(deps.signals.allReferrals()).toHaveLength(1);
    });

    it('throws when the store fails, so the message is retried', async () => {
      const deps = setup();
      const failure = new Error('ProvisionedThroughputExceeded');
      deps.signals.failNext('commit', failure);

      const error = await rejection(routeSignal(deps, signal.id));

      expect(error).toBe(failure);
      expect(deps.teams.published).toEqual([]);
    });
  });
});

describe('routeSignal: goals and the consultation a referral follows', () => {
  const consultation = storedSignal({
    id: '5d0c8c4e-6f0a-4c53-9f1e-0000000000c1',
    requestType: 'consultation',
    status: 'routed',
    referralIds: ['7e1d9d5f-7a1b-4d64-8a2f-0000000000c1'],
  });
  const answered = storedReferral({
    id: '7e1d9d5f-7a1b-4d64-8a2f-0000000000c1',
    signalId: consultation.id,
    teamId: 'cjg-veiligheid',
    requestType: 'consultation',
    status: 'closed',
  });

  it('gives the referral the signal’s clock start and a due instant 14 days on (5 when urgent)', async () => {
    const regular = setup(storedSignal({ clockStartAt: '2026-11-17T23:00:00.000Z' }));
    const urgent = setup(storedSignal({ clockStartAt: '2026-11-17T23:00:00.000Z', urgency: 'urgent' }));

    await routeSignal(regular, signal.id);
    await routeSignal(urgent, signal.id);

    expect(regular.signals.allReferrals()[0]).toMatchObject({
      clockStartAt: '2026-11-17T23:00:00.000Z',
      dueAt: '2026-12-01T23:00:00.000Z',
      schoolLocation: '12AB00',
    });
    expect(urgent.signals.allReferrals()[0]?.dueAt).toBe('2026-11-22T23:00:00.000Z');
  });

  it('routes a referral that follows a consultation to the team that answered it, over the rules', async () => {
    const deps = setup(storedSignal({ followsConsultation: consultation.id }));
    deps.signals.putSignal(consultation);
    deps.signals.putReferral(answered);

    await routeSignal(deps, signal.id);

    const referral = deps.signals.allReferrals().find((r) => r.signalId === signal.id);
    expect(referral).toMatchObject({
      teamId: 'cjg-veiligheid',
      routedBy: 'consultation',
      ruleId: 'consultation',
    });
  });

  it('follows a consultation of another location of the same school (the same BRIN)', async () => {
    const deps = setup(storedSignal({ followsConsultation: consultation.id }));
    deps.signals.putSignal({ ...consultation, schoolLocation: '12AB01' });
    deps.signals.putReferral(answered);

    await routeSignal(deps, signal.id);

    expect(deps.signals.allReferrals().find((r) => r.signalId === signal.id)).toMatchObject({
      teamId: 'cjg-veiligheid',
      routedBy: 'consultation',
    });
  });

  it.each([
    ['a consultation of another school (another BRIN)', { schoolLocation: '34CD00' }],
    ['a referral, not a consultation', { requestType: 'referral' as const }],
  ])('routes by the rules when the signal follows %s', async (_case, change) => {
    const deps = setup(storedSignal({ followsConsultation: consultation.id }));
    deps.signals.putSignal({ ...consultation, ...change });
    deps.signals.putReferral(answered);

    await routeSignal(deps, signal.id);

    const referral = deps.signals.allReferrals().find((r) => r.signalId === signal.id);
    expect(referral).toMatchObject({ teamId: 'jgt-amsterdam', routedBy: 'rule' });
  });

  it('gives a consultation no goal: it asks for advice, not help', async () => {
    const deps = setup(storedSignal({ requestType: 'consultation' }));

    await routeSignal(deps, signal.id);

    const [referral] = deps.signals.allReferrals();
    expect(referral?.requestType).toBe('consultation');
    expect(referral).not.toHaveProperty('dueAt');
    expect(referral).not.toHaveProperty('clockStartAt');
  });

  it('routes by the rules when the consultation’s team no longer serves the pupil’s municipality', async () => {
    const deps = setup(storedSignal({ followsConsultation: consultation.id, municipality: '0534' }));
    deps.signals.putSignal(consultation);
    deps.signals.putReferral(answered);

    const outcome = await routeSignal(deps, signal.id);

    // No rule of 0534 in this configuration: the municipality gets it, with the reason.
    expect(outcome).toBe('unroutable');
    expect(deps.signals.allSignals().find((s) => s.id === signal.id)).toMatchObject({
      status: 'unroutable',
      unroutableReason: 'no-rule',
    });
  });

  it('routes by the rules when no team answered the consultation', async () => {
    const deps = setup(storedSignal({ followsConsultation: consultation.id }));
    deps.signals.putSignal(consultation);
    deps.signals.putReferral({ ...answered, status: 'rejected' });

    await routeSignal(deps, signal.id);

    expect(deps.signals.allReferrals().find((r) => r.signalId === signal.id)).toMatchObject({
      teamId: 'jgt-amsterdam',
      routedBy: 'rule',
    });
  });
});
