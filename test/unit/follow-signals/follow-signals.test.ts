import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { derivedUuid } from '../../../domain/ids.js';
import {
  AssignmentInputSchema,
  FOLLOW_SIGNALS_OPERATIONS,
} from '../../../functions/follow-signals/declaration.js';
import {
  assignSignal,
  type FollowSignalsDeps,
  getLeadTimes,
  listSignals,
} from '../../../functions/follow-signals/follow-signals.js';
import {
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../../../functions/shared/errors.js';
import type { StoredReferral, StoredSignal } from '../../../functions/shared/model.js';
import type { Client } from '../../../schemas/client.js';
import type { DeploymentConfig } from '../../../schemas/deployment-config.js';
import { AssignmentResultSchema, LeadTimesSchema, SignalListItemSchema } from '../../../schemas/views.js';
import { municipalityClient, schoolClient } from '../../helpers/clients.js';
import { type DeepPartial, storedReferral, storedSignal } from '../../helpers/factories.js';
import { HUB_CONFIG } from '../../helpers/fake-hub.js';
import { FakeTeamQueue, fixedClock, InMemoryStateStore } from '../../helpers/fakes.js';
import { captureLogs } from '../../helpers/log-capture.js';
import { rejection } from '../../helpers/rejection.js';

// The use cases of follow-signals on the in-memory store and team queue: who sees which signals,
// the municipality's assignment of a signal no rule or team took, and the lead-time figures
// (computed by hand below, not by the code under test).

/** The fake hub's teams, plus one serving Amsterdam and one serving Lisse by configuration only. */
const CONFIG: DeploymentConfig = {
  ...HUB_CONFIG,
  teams: [
    ...HUB_CONFIG.teams,
    { id: 'jgt-oost', name: 'JGT Oost', kind: 'jgt', organisation: 'OKT', municipalities: ['0363'] },
    { id: 'jgt-lisse', name: 'JGT Lisse', kind: 'jgt', organisation: 'JGT DB', municipalities: ['0553'] },
  ],
};

const signalId = (n: number) => `5d0c8c4e-6f0a-4c53-9f1e-${String(n).padStart(12, '0')}`;
const referralId = (n: number) => `7e1d9d5f-7a1b-4d64-8a2f-${String(n).padStart(12, '0')}`;

function depsWith(store: InMemoryStateStore, now: string, config: DeploymentConfig = CONFIG) {
  return {
    signals: store,
    teams: new FakeTeamQueue(),
    config,
    deployment: config.deployment,
    now: fixedClock(now),
  } satisfies FollowSignalsDeps;
}

const admin: Client = { ...municipalityClient([]), clientId: 'admin-1', role: 'admin', scope: {} };

describe('listSignals', () => {
  const NOW = '2026-11-26T12:00:00.000Z';

  // Six signals, one a day; `sourceId` lvs-N, sent by school-1 unless said otherwise.
  const S1 = storedSignal({
    id: signalId(1),
    sourceId: 'lvs-1',
    status: 'routed',
    referralIds: [referralId(1)],
    receivedAt: '2026-11-20T10:00:00.000Z',
  });
  const S2 = storedSignal({
    id: signalId(2),
    sourceId: 'lvs-2',
    status: 'unroutable',
    unroutableReason: 'no-rule',
    receivedAt: '2026-11-21T10:00:00.000Z',
  });
  const S3 = storedSignal({
    id: signalId(3),
    sourceId: 'lvs-3',
    schoolLocation: '12AB01',
    receivedAt: '2026-11-22T10:00:00.000Z',
  });
  const S4 = storedSignal({
    id: signalId(4),
    sourceClientId: 'school-9',
    sourceId: 'lvs-4',
    schoolLocation: '34CD00',
    status: 'unroutable',
    unroutableReason: 'all-teams-rejected',
    receivedAt: '2026-11-23T10:00:00.000Z',
  });
  const S5 = storedSignal({
    id: signalId(5),
    sourceId: 'lvs-5',
    municipality: '0534',
    status: 'routed',
    referralIds: [referralId(5)],
    receivedAt: '2026-11-24T10:00:00.000Z',
  });
  const S6 = storedSignal({
    id: signalId(6),
    sourceClientId: 'school-8',
    sourceId: 'lvs-6',
    schoolLocation: '56EF00',
    municipality: '0534',
    status: 'unroutable',
    unroutableReason: 'no-rule',
    receivedAt: '2026-11-19T10:00:00.000Z',
  });

  async function setup() {
    const store = new InMemoryStateStore();
    // Through createSignal, so the store knows each signal's source (client and sourceId).
    for (const signal of [S1, S2, S3, S4, S5, S6]) await store.createSignal(signal);
    return depsWith(store, NOW);
  }

  const list = (deps: FollowSignalsDeps, client: Client, query: Record<string, string> = {}) =>
    listSignals(deps, {
      client,
      user: undefined,
      query: FOLLOW_SIGNALS_OPERATIONS.listSignals.query.parse(query),
    });

  const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);

  const oneLocationSchool = schoolClient({ scope: { schoolLocations: ['12AB00'] } });

  describe('for a school', () => {
    it('lists the signals of its one location, newest first, with its own sourceId', async () => {
      const deps = await setup();

      const page = await list(deps, oneLocationSchool);

      expect(ids(page)).toEqual([S5.id, S2.id, S1.id]);
      expect(page.items.map((item) => item.sourceId)).toEqual(['lvs-5', 'lvs-2', 'lvs-1']);
      expect(page).not.toHaveProperty('next');
    });

    it('answers items of the list schema that carry no pupil data', async () => {
      const deps = await setup();

      const page = await list(deps, oneLocationSchool);

      for (const item of page.items) {
        expect(z.strictObject(SignalListItemSchema.shape).parse(item)).toEqual(item);
      }
      expect(page.items.find((item) => item.id === S1.id)).toEqual({
        id: S1.id,
        sourceId: 'lvs-1',
        requestType: 'referral',
        schoolLocation: '12AB00',
        municipality: '0363',
        status: 'routed',
        urgency: 'regular',
        concerns: ['absence', 'home-situation'],
        referralCount: 1,
        receivedAt: '2026-11-20T10:00:00.000Z',
        updatedAt: S1.updatedAt,
      });
      const text = JSON.stringify(page);
      for (const secret of [S1.pupilPseudonym as string, S1.sealedSubmission as string, S1.contentHash]) {
        expect(text).not.toContain(secret);
      }
    });

    it('requires schoolLocation, naming it, when the client has several locations', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, schoolClient()));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams).toEqual([
        { name: 'schoolLocation', reason: expect.stringContaining('12AB00, 12AB01') },
      ]);
    });

    it('lists the named one of its several locations', async () => {
      const deps = await setup();

      const page = await list(deps, schoolClient(), { schoolLocation: '12AB01' });

      expect(ids(page)).toEqual([S3.id]);
    });

    it('answers NotFoundError for a location that is not its own, as for an unknown one', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, schoolClient(), { schoolLocation: '34CD00' }));
      const unknown = await rejection(list(deps, schoolClient(), { schoolLocation: '99ZZ99' }));

      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe(unknown.message);
    });

    it('refuses the municipality parameter, naming it', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, oneLocationSchool, { municipality: '0363' }));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams.map((p) => p.name)).toEqual(['municipality']);
    });

    it('names both problems when a school with several locations also gives a municipality', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, schoolClient(), { municipality: '0363' }));

      expect((error as ValidationError).invalidParams.map((p) => p.name)).toEqual([
        'municipality',
        'schoolLocation',
      ]);
    });

    it('filters by status', async () => {
      const deps = await setup();

      const page = await list(deps, oneLocationSchool, { status: 'unroutable' });

      expect(ids(page)).toEqual([S2.id]);
    });

    it('filters by the moment of receipt, from included and to excluded, whatever the offset', async () => {
      const deps = await setup();

      // from is S2's receipt (10:00Z) in Dutch winter time; to is S5's receipt.
      const page = await list(deps, oneLocationSchool, {
        from: '2026-11-21T11:00:00+01:00',
        to: '2026-11-24T10:00:00.000Z',
      });

      expect(ids(page)).toEqual([S2.id]);
    });

    it('passes the limit on and answers the newest signals first', async () => {
      const deps = await setup();

      const page = await list(deps, oneLocationSchool, { limit: '2' });

      expect(ids(page)).toEqual([S5.id, S2.id]);
    });

    it('finds a signal by its own sourceId', async () => {
      const deps = await setup();

      const page = await list(deps, oneLocationSchool, { sourceId: 'lvs-2' });

      expect(page).toEqual({
        items: [expect.objectContaining({ id: S2.id, sourceId: 'lvs-2', status: 'unroutable' })],
      });
    });

    it('finds its signal by sourceId at any of its locations without naming one', async () => {
      const deps = await setup();

      // The default school client has 12AB00 and 12AB01; lvs-3 was sent for its other location.
      const page = await list(deps, schoolClient(), { sourceId: 'lvs-3' });

      expect(ids(page)).toEqual([S3.id]);
    });

    it('does not find the signal another client sent under the same sourceId', async () => {
      const deps = await setup();
      const otherClient = schoolClient({ clientId: 'school-2', scope: { schoolLocations: ['12AB00'] } });

      const byOther = await list(deps, otherClient, { sourceId: 'lvs-1' });
      const byOwner = await list(deps, oneLocationSchool, { sourceId: 'lvs-1' });

      expect(byOther.items).toEqual([]);
      expect(ids(byOwner)).toEqual([S1.id]);
    });

    it('finds its own signal, not another client’s, when both used one sourceId', async () => {
      const deps = await setup();
      const theirs = storedSignal({ id: signalId(7), sourceClientId: 'school-2', sourceId: 'lvs-1' });
      await deps.signals.createSignal(theirs);

      const page = await list(deps, oneLocationSchool, { sourceId: 'lvs-1' });

      expect(ids(page)).toEqual([S1.id]);
    });

    it.each<[string, Record<string, string>]>([
      ['an unknown sourceId', { schoolLocation: '12AB00', sourceId: 'lvs-999' }],
      ['its own signal at its other location', { schoolLocation: '12AB00', sourceId: 'lvs-3' }],
      [
        'its own signal in another status',
        { schoolLocation: '12AB00', sourceId: 'lvs-1', status: 'withdrawn' },
      ],
      [
        'its own signal received before from',
        { schoolLocation: '12AB00', sourceId: 'lvs-1', from: '2026-11-21T00:00:00Z' },
      ],
      [
        'its own signal received at to',
        { schoolLocation: '12AB00', sourceId: 'lvs-1', to: '2026-11-20T10:00:00Z' },
      ],
    ])('answers an empty page for %s', async (_case, query) => {
      const deps = await setup();

      const page = await list(deps, schoolClient(), query);

      expect(page).toEqual({ items: [] });
    });
  });

  describe('for a municipality', () => {
    it('lists the signals of its pupils, of every school, when it has one code', async () => {
      const deps = await setup();

      const page = await list(deps, municipalityClient(['0363']));

      expect(ids(page)).toEqual([S4.id, S3.id, S2.id, S1.id]);
    });

    it('answers items without sourceId and without pupil data', async () => {
      const deps = await setup();

      const page = await list(deps, municipalityClient(['0363']));

      for (const item of page.items) {
        expect(z.strictObject(SignalListItemSchema.shape).parse(item)).toEqual(item);
        expect(Object.keys(item).sort()).toEqual(
          [
            'concerns',
            'id',
            'municipality',
            'receivedAt',
            'referralCount',
            'requestType',
            'schoolLocation',
            'status',
            'updatedAt',
            'urgency',
            ...(item.status === 'unroutable' ? ['unroutableReason'] : []),
          ].sort(),
        );
      }
      const text = JSON.stringify(page);
      for (const secret of ['lvs-', S1.pupilPseudonym as string, S1.sealedSubmission as string, 'school-']) {
        expect(text).not.toContain(secret);
      }
    });

    it('requires municipality, naming it, when the client has several codes', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, municipalityClient(['0363', '0534'])));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams).toEqual([
        { name: 'municipality', reason: expect.stringContaining('0363, 0534') },
      ]);
    });

    it('lists the named one of its several codes', async () => {
      const deps = await setup();

      const page = await list(deps, municipalityClient(['0363', '0534']), { municipality: '0534' });

      expect(ids(page)).toEqual([S5.id, S6.id]);
    });

    it('answers NotFoundError for another municipality’s code', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, municipalityClient(['0363']), { municipality: '0534' }));

      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('refuses sourceId, naming it', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, municipalityClient(['0363']), { sourceId: 'lvs-1' }));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams.map((p) => p.name)).toEqual(['sourceId']);
    });

    it('answers its work list with status=unroutable, each with its reason', async () => {
      const deps = await setup();

      const page = await list(deps, municipalityClient(['0363']), { status: 'unroutable' });

      expect(page.items.map((item) => [item.id, item.unroutableReason])).toEqual([
        [S4.id, 'all-teams-rejected'],
        [S2.id, 'no-rule'],
      ]);
    });

    it('filters by school location', async () => {
      const deps = await setup();

      const page = await list(deps, municipalityClient(['0363']), { schoolLocation: '12AB00' });

      expect(ids(page)).toEqual([S2.id, S1.id]);
    });

    it('combines the status, school location and period filters', async () => {
      const deps = await setup();

      const page = await list(deps, municipalityClient(['0363']), {
        status: 'routed',
        schoolLocation: '12AB00',
        from: '2026-11-20T00:00:00Z',
        to: '2026-11-21T00:00:00Z',
      });

      expect(ids(page)).toEqual([S1.id]);
    });
  });

  describe('for an admin', () => {
    it('requires municipality, naming it', async () => {
      const deps = await setup();

      const error = await rejection(list(deps, admin));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams).toEqual([
        { name: 'municipality', reason: 'is required' },
      ]);
    });

    it('lists the signals of the municipality it names, without sourceId', async () => {
      const deps = await setup();

      const page = await list(deps, admin, { municipality: '0534' });

      expect(ids(page)).toEqual([S5.id, S6.id]);
      expect(page.items.every((item) => !('sourceId' in item))).toBe(true);
    });
  });
});

describe('assignSignal', () => {
  const NOW = '2026-11-25T09:00:00.000Z';
  const REASON = 'Geen regel voor deze school; het Oost-team neemt deze voorlopig.';
  /** Midnight in Amsterdam at the start of 20 November, the care-team discussion day. */
  const CLOCK_START = '2026-11-19T23:00:00.000Z';
  const assigner = municipalityClient(['0363']);
  const AMSTERDAM_ACTOR = {
    clientId: 'municipality-0363',
    role: 'municipality',
    organisation: 'Gemeente',
    user: 'a.bakker',
  };

  const unroutable = storedSignal({
    status: 'unroutable',
    unroutableReason: 'no-rule',
    discussedInCareTeamOn: '2026-11-20',
    clockStartAt: CLOCK_START,
    version: 2,
    updatedAt: '2026-11-22T10:00:02.000Z',
  });
  const firstReferralId = (teamId: string) => derivedUuid('referral', unroutable.id, teamId);

  function setup(signal: StoredSignal = unroutable, referrals: StoredReferral[] = [], config = CONFIG) {
    const store = new InMemoryStateStore();
    store.putSignal(signal);
    for (const referral of referrals) store.putReferral(referral);
    return depsWith(store, NOW, config);
  }

  const assign = (
    deps: FollowSignalsDeps,
    body: { teamId: string; reason: string } = { teamId: 'jgt-oost', reason: REASON },
    client: Client = assigner,
    id = unroutable.id,
  ) =>
    assignSignal(deps, {
      client,
      user: 'a.bakker',
      id,
      assignment: AssignmentInputSchema.parse(body),
    });

  /** A referral of `unroutable` in the given status. */
  const referralOf = (n: number, teamId: string, status: StoredReferral['status']) =>
    storedReferral({
      id: referralId(n),
      signalId: unroutable.id,
      teamId,
      status,
      history: [{ status, at: '2026-11-23T10:00:00.000Z' }],
    });

  describe('of an unroutable signal', () => {
    it('routes the signal, recording who assigned it and to which team for the audit', async () => {
      const deps = setup();

      await assign(deps);

      const id = firstReferralId('jgt-oost');
      const { unroutableReason: _reason, ...kept } = unroutable;
      expect(deps.signals.allSignals()).toEqual([
        {
          ...kept,
          status: 'routed',
          referralIds: [id],
          version: 3,
          updatedAt: NOW,
          lastChange: {
            eventType: 'signal.assigned',
            at: NOW,
            actor: AMSTERDAM_ACTOR,
            onBehalfOf: { schoolLocation: '12AB00', teamId: 'jgt-oost' },
            details: {
              teamId: 'jgt-oost',
              referralId: id,
              fromStatus: 'unroutable',
              unroutableReason: 'no-rule',
            },
          },
        },
      ]);
    });

    it('queues a referral to the team, routed by assignment, with the reason and the signal’s clock', async () => {
      const deps = setup();

      await assign(deps);

      expect(deps.signals.allReferrals()).toEqual([
        {
          id: firstReferralId('jgt-oost'),
          signalId: unroutable.id,
          teamId: 'jgt-oost',
          municipality: '0363',
          ruleId: 'assignment',
          routedBy: 'assignment',
          status: 'queued',
          requestType: 'referral',
          urgency: 'regular',
          concerns: ['absence', 'home-situation'],
          schoolLocation: '12AB00',
          clockStartAt: CLOCK_START,
          // 14 days after the care-team discussion, not after the receipt or the assignment.
          dueAt: '2026-12-03T23:00:00.000Z',
          pupilPseudonym: unroutable.pupilPseudonym,
          history: [{ status: 'queued', at: NOW, reason: REASON }],
          createdAt: NOW,
          updatedAt: NOW,
          version: 1,
          lastChange: {
            eventType: 'referral.queued',
            at: NOW,
            actor: AMSTERDAM_ACTOR,
            onBehalfOf: { schoolLocation: '12AB00', teamId: 'jgt-oost' },
            details: {
              teamId: 'jgt-oost',
              ruleId: 'assignment',
              routedBy: 'assignment',
              organisation: 'OKT',
            },
          },
        },
      ]);
    });

    it('keeps the reason out of the audit records of the signal and the referral', async () => {
      const deps = setup();

      await assign(deps);

      const [signal] = deps.signals.allSignals();
      const [referral] = deps.signals.allReferrals();
      expect(JSON.stringify([signal?.lastChange, referral?.lastChange])).not.toContain('Oost-team');
    });

    it('publishes one queued CloudEvent to the team', async () => {
      const deps = setup();

      await assign(deps);

      const id = firstReferralId('jgt-oost');
      expect(deps.teams.published).toEqual([
        {
          teamId: 'jgt-oost',
          event: {
            specversion: '1.0',
            id: `${id}:queued`,
            source: 'urn:schakel:demo',
            type: 'nl.schakel.referral.queued.v1',
            subject: id,
            time: NOW,
            datacontenttype: 'application/json',
            data: {
              referralId: id,
              signalId: unroutable.id,
              teamId: 'jgt-oost',
              municipality: '0363',
              requestType: 'referral',
              urgency: 'regular',
              concerns: ['absence', 'home-situation'],
              href: `/v1/referrals/${id}`,
            },
          },
        },
      ]);
    });

    it('answers the routed signal and the queued referral, without pupil data or the reason', async () => {
      const deps = setup();

      const result = await assign(deps);

      const id = firstReferralId('jgt-oost');
      expect(AssignmentResultSchema.parse(result)).toEqual(result);
      expect(result).toEqual({
        signal: {
          id: unroutable.id,
          requestType: 'referral',
          schoolLocation: '12AB00',
          municipality: '0363',
          status: 'routed',
          urgency: 'regular',
          concerns: ['absence', 'home-situation'],
          referralCount: 1,
          receivedAt: unroutable.receivedAt,
          updatedAt: NOW,
        },
        referral: {
          id,
          signalId: unroutable.id,
          teamId: 'jgt-oost',
          municipality: '0363',
          status: 'queued',
          requestType: 'referral',
          urgency: 'regular',
          createdAt: NOW,
          updatedAt: NOW,
          dueAt: '2026-12-03T23:00:00.000Z',
        },
      });
    });

    it.each<[string, DeepPartial<StoredSignal>, string]>([
      ['a regular signal: 14 days from its clock start', {}, '2026-12-03T23:00:00.000Z'],
      ['an urgent signal: 5 days from its clock start', { urgency: 'urgent' }, '2026-11-24T23:00:00.000Z'],
      [
        'a signal stored without clockStartAt: from its care-team discussion day',
        { clockStartAt: undefined },
        '2026-12-03T23:00:00.000Z',
      ],
      [
        'a signal stored without clockStartAt or discussion day: from its receipt',
        { clockStartAt: undefined, discussedInCareTeamOn: undefined },
        '2026-12-06T10:00:00.000Z',
      ],
    ])('sets the referral due for %s', async (_case, overrides, due) => {
      const deps = setup(storedSignal({ ...unroutable, ...overrides } as DeepPartial<StoredSignal>));

      const result = await assign(deps);

      expect(result.referral.dueAt).toBe(due);
      expect(deps.signals.allReferrals()[0]?.dueAt).toBe(due);
    });

    it('takes the goal the configuration sets for the municipality', async () => {
      const config = {
        ...CONFIG,
        leadTimes: { regularDays: 20, municipalities: { '0363': { regularDays: 10 } } },
      };
      const deps = setup(unroutable, [], config);

      const result = await assign(deps);

      expect(result.referral.dueAt).toBe('2026-11-29T23:00:00.000Z');
    });

    it.each([
      ['a team its routing rule names', 'jgt-amsterdam'],
      ['a team the configuration says serves it', 'jgt-oost'],
    ])('assigns to %s', async (_case, teamId) => {
      const deps = setup();

      const result = await assign(deps, { teamId, reason: REASON });

      expect(result.referral).toMatchObject({ id: firstReferralId(teamId), teamId, status: 'queued' });
      expect(deps.teams.published.map((p) => p.teamId)).toEqual([teamId]);
    });

    it('lets an admin assign, recorded as the admin', async () => {
      const deps = setup();

      await assign(deps, undefined, admin);

      expect(deps.signals.allSignals()[0]?.lastChange.actor).toEqual({
        clientId: 'admin-1',
        role: 'admin',
        organisation: 'Gemeente',
        user: 'a.bakker',
      });
    });

    it('lets a municipality with several codes assign its pupil’s signal', async () => {
      const deps = setup();

      const result = await assign(deps, undefined, municipalityClient(['0534', '0363']));

      expect(result.signal.status).toBe('routed');
    });

    it('assigns a signal for a municipality that no rule routes for, to a team that serves it', async () => {
      const lisse = storedSignal({ ...unroutable, municipality: '0553' } as DeepPartial<StoredSignal>);
      const deps = setup(lisse);

      const result = await assign(
        deps,
        { teamId: 'jgt-lisse', reason: REASON },
        municipalityClient(['0553']),
      );

      expect(result.referral).toMatchObject({ teamId: 'jgt-lisse', municipality: '0553' });
    });
  });

  describe('of a signal whose referrals were all rejected', () => {
    const rejectedByAmsterdam = referralOf(1, 'jgt-amsterdam', 'rejected');
    const rejectedByOost = referralOf(2, 'jgt-oost', 'rejected');
    const routedSignal = storedSignal({
      ...unroutable,
      status: 'routed',
      unroutableReason: undefined,
      referralIds: [rejectedByAmsterdam.id, rejectedByOost.id],
    } as DeepPartial<StoredSignal>);

    it('assigns it to a team again, even one that rejected it, with a new referral', async () => {
      const deps = setup(routedSignal, [rejectedByAmsterdam, rejectedByOost]);

      const result = await assign(deps, { teamId: 'jgt-amsterdam', reason: REASON });

      const newId = derivedUuid('referral', unroutable.id, 'jgt-amsterdam', '2');
      expect(result.referral).toMatchObject({ id: newId, teamId: 'jgt-amsterdam', status: 'queued' });
      const stored = deps.signals.allSignals()[0];
      expect(stored).toMatchObject({
        status: 'routed',
        referralIds: [rejectedByAmsterdam.id, rejectedByOost.id, newId],
        lastChange: {
          eventType: 'signal.assigned',
          details: { fromStatus: 'routed', unroutableReason: 'all-teams-rejected', referralId: newId },
        },
      });
      expect(deps.signals.allReferrals().find((r) => r.id === rejectedByAmsterdam.id)).toEqual(
        rejectedByAmsterdam,
      );
    });

    it('assigns an unroutable signal whose reason is all-teams-rejected', async () => {
      const signal = storedSignal({
        ...unroutable,
        unroutableReason: 'all-teams-rejected',
        referralIds: [rejectedByAmsterdam.id],
      } as DeepPartial<StoredSignal>);
      const deps = setup(signal, [rejectedByAmsterdam]);

      const result = await assign(deps);

      expect(result.signal).toMatchObject({ status: 'routed', referralCount: 2 });
      expect(result.signal).not.toHaveProperty('unroutableReason');
      expect(deps.signals.allSignals()[0]?.lastChange.details).toMatchObject({
        fromStatus: 'unroutable',
        unroutableReason: 'all-teams-rejected',
      });
    });
  });

  describe('refused', () => {
    it.each<[string, DeepPartial<StoredSignal>, StoredReferral[]]>([
      [
        'a routed signal with a queued referral',
        { status: 'routed', referralIds: [referralId(1)] },
        [referralOf(1, 'jgt-amsterdam', 'queued')],
      ],
      [
        'a routed signal with a rejected and an accepted referral',
        { status: 'routed', referralIds: [referralId(1), referralId(2)] },
        [referralOf(1, 'jgt-amsterdam', 'rejected'), referralOf(2, 'jgt-oost', 'accepted')],
      ],
      [
        'a routed signal whose referral was closed',
        { status: 'routed', referralIds: [referralId(1)] },
        [referralOf(1, 'jgt-amsterdam', 'closed')],
      ],
      ['a withdrawn signal', { status: 'withdrawn' }, []],
      [
        'a withdrawn signal whose referrals were all rejected',
        { status: 'withdrawn', referralIds: [referralId(1)] },
        [referralOf(1, 'jgt-amsterdam', 'rejected')],
      ],
      ['a signal not routed yet', { status: 'received' }, []],
    ])('answers ConflictError for %s and changes nothing', async (_case, overrides, referrals) => {
      const signal = storedSignal({
        ...unroutable,
        unroutableReason: undefined,
        ...overrides,
      } as DeepPartial<StoredSignal>);
      const deps = setup(signal, referrals);

      const error = await rejection(assign(deps));

      expect(error).toBeInstanceOf(ConflictError);
      expect(deps.signals.writes).toEqual([]);
      expect(deps.teams.published).toEqual([]);
    });

    it.each([
      ['a team of another municipality', 'jgt-hillegom', 'is not a team of municipality 0363'],
      [
        'a team serving another municipality by configuration',
        'jgt-lisse',
        'is not a team of municipality 0363',
      ],
      ['an unknown team', 'jgt-nergens', 'is not a team of this hub'],
    ])('answers ValidationError naming teamId for %s, and stores nothing', async (_case, teamId, reason) => {
      const deps = setup();

      const error = await rejection(assign(deps, { teamId, reason: REASON }));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams).toEqual([{ name: 'teamId', reason }]);
      expect(deps.signals.writes).toEqual([]);
      expect(deps.signals.allReferrals()).toEqual([]);
      expect(deps.teams.published).toEqual([]);
    });

    it('answers NotFoundError for another municipality’s signal, as for an unknown id', async () => {
      const deps = setup();

      const foreign = await rejection(assign(deps, undefined, municipalityClient(['0534'])));
      const unknown = await rejection(assign(deps, undefined, assigner, signalId(999)));

      expect(foreign).toBeInstanceOf(NotFoundError);
      expect(unknown).toBeInstanceOf(NotFoundError);
      expect(foreign.message).toBe(unknown.message);
      expect(deps.signals.writes).toEqual([]);
    });

    it('answers NotFoundError, not a team problem, for another municipality’s signal and a bad team', async () => {
      const deps = setup();

      const error = await rejection(
        assign(deps, { teamId: 'jgt-nergens', reason: REASON }, municipalityClient(['0534'])),
      );

      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('answers ConflictError when the signal changed between read and commit, and notifies no one', async () => {
      const deps = setup();
      deps.signals.beforeNextWrite(() =>
        deps.signals.putSignal({ ...unroutable, status: 'withdrawn', version: 3 }),
      );

      const error = await rejection(assign(deps));

      expect(error).toBeInstanceOf(ConflictError);
      expect(deps.signals.allReferrals()).toEqual([]);
      expect(deps.signals.allSignals()[0]).toMatchObject({ status: 'withdrawn', version: 3 });
      expect(deps.teams.published).toEqual([]);
    });

    it('answers the same to the loser of two identical assignments sent at once', async () => {
      const deps = setup();
      // The other request commits between this one's read and its commit.
      const winner = setup();
      await assign(winner);
      const [committedSignal] = winner.signals.allSignals();
      const [committedReferral] = winner.signals.allReferrals();
      deps.signals.beforeNextWrite(() => {
        deps.signals.putSignal(committedSignal as StoredSignal);
        deps.signals.putReferral(committedReferral as StoredReferral);
      });

      const answer = await assign(deps);

      expect(answer.referral).toMatchObject({
        id: committedReferral?.id,
        teamId: 'jgt-oost',
        status: 'queued',
      });
      expect(deps.signals.allReferrals()).toHaveLength(1);
    });

    it('answers ConflictError to the second of two assignments to different teams', async () => {
      const deps = setup();
      await assign(deps, { teamId: 'jgt-amsterdam', reason: REASON });

      const error = await rejection(assign(deps, { teamId: 'jgt-oost', reason: REASON }));

      expect(error).toBeInstanceOf(ConflictError);
      expect(deps.signals.allReferrals().map((r) => r.teamId)).toEqual(['jgt-amsterdam']);
      expect(deps.teams.published).toHaveLength(1);
    });
  });

  describe('repeated', () => {
    it('answers the same and notifies the team again, creating no second referral', async () => {
      const deps = setup();
      const first = await assign(deps);

      const second = await assign(deps);

      expect(second).toEqual(first);
      expect(deps.signals.allReferrals()).toHaveLength(1);
      expect(deps.signals.writes).toEqual(['commit']);
      expect(deps.signals.allSignals()[0]?.version).toBe(3);
      expect(deps.teams.published).toHaveLength(2);
      expect(deps.teams.published[1]).toEqual(deps.teams.published[0]);
    });

    it('answers ConflictError once the team has taken the assigned referral further', async () => {
      const deps = setup();
      await assign(deps);
      const [referral] = deps.signals.allReferrals();
      deps.signals.putReferral({ ...(referral as StoredReferral), status: 'delivered', version: 2 });

      const error = await rejection(assign(deps));

      expect(error).toBeInstanceOf(ConflictError);
      expect(deps.teams.published).toHaveLength(1);
    });

    it('answers ServiceUnavailableError after the commit when the team cannot be notified', async () => {
      const deps = setup();
      deps.teams.failNext();

      const error = await rejection(assign(deps));

      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(deps.signals.allSignals()[0]).toMatchObject({ status: 'routed', version: 3 });
      expect(deps.signals.allReferrals()).toMatchObject([{ teamId: 'jgt-oost', status: 'queued' }]);
      expect(deps.teams.published).toEqual([]);
    });

    it('notifies the team when the assignment is sent again after a failed notice', async () => {
      const deps = setup();
      deps.teams.failNext();
      await rejection(assign(deps));

      const result = await assign(deps);

      expect(result.referral).toMatchObject({ id: firstReferralId('jgt-oost'), status: 'queued' });
      expect(deps.signals.allReferrals()).toHaveLength(1);
      expect(deps.signals.writes).toEqual(['commit']);
      expect(deps.teams.published.map((p) => p.event.id)).toEqual([`${firstReferralId('jgt-oost')}:queued`]);
    });
  });

  describe('logs', () => {
    const logs = captureLogs();

    it('the assignment and the notice by ids, never the reason', async () => {
      const deps = setup();

      await assign(deps);

      const id = firstReferralId('jgt-oost');
      expect(logs.lines()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            event: 'signal_assigned',
            signalId: unroutable.id,
            referralId: id,
            teamId: 'jgt-oost',
          }),
          expect.objectContaining({ event: 'team_notified', referralId: id, teamId: 'jgt-oost' }),
        ]),
      );
      expect(logs.text()).not.toContain('Oost-team');
    });
  });
});

describe('getLeadTimes', () => {
  // Seven referrals for Amsterdam (0363) made in January and February 2026 (Dutch winter time,
  // UTC+1), read on 1 March 2026 at 12:00Z. Goals: 14 days regular, 5 urgent.
  //
  //  ref team            school  concerns                 clock start (Z)   due (Z)           accepted (d)  started (d)   status
  //  R1  jgt-amsterdam   12AB00  absence                  01-05 09:00       01-19 09:00       01-07 09:00 (2.0)  01-15 09:00 (10.0)  started: in time
  //  R2  jgt-amsterdam   12AB01  absence, home-situation  01-10 09:00       01-24 09:00       01-13 21:00 (3.5)  01-30 09:00 (20.0)  closed: late
  //  R3  jgt-amsterdam   12AB00  safety (urgent)          02-02 09:00       02-07 09:00       02-03 09:00 (1.0)  —                   accepted: overdue
  //  R4  jgt-amsterdam   12AB00  absence                  02-20 09:00       03-06 09:00       —                  —                   queued: open, not due
  //  R5  jgt-amsterdam   12AB01  behaviour                01-20 09:00       02-03 09:00       —                  —                   rejected: count only
  //  R6  jgt-oost        12AB00  home-situation           01-12 09:00       01-26 09:00       01-12 21:00 (0.5)  01-26 09:00 (14.0)  started exactly at due: in time
  //  R7  jgt-oost        (none)  learning                 01-31 23:30 = 1 Feb 00:30 in Amsterdam; stored before clocks and goals were kept,
  //                                                       so clock start = createdAt and due = +14 d = 02-14 23:30: queued, overdue
  const NOW = '2026-03-01T12:00:00.000Z';
  const QUERY = { from: '2026-01-01', to: '2026-02-28' };

  const lead = (
    n: number,
    teamId: string,
    clockStartAt: string,
    dueAt: string | undefined,
    status: StoredReferral['status'],
    steps: [StoredReferral['status'], string][],
    extra: DeepPartial<StoredReferral>,
  ) =>
    storedReferral({
      id: referralId(n),
      signalId: signalId(n),
      teamId,
      municipality: '0363',
      schoolLocation: '12AB00',
      status,
      clockStartAt,
      dueAt,
      createdAt: clockStartAt,
      updatedAt: clockStartAt,
      history: [{ status: 'queued', at: clockStartAt }, ...steps.map(([s, at]) => ({ status: s, at }))],
      ...extra,
    });

  const R1 = lead(
    1,
    'jgt-amsterdam',
    '2026-01-05T09:00:00.000Z',
    '2026-01-19T09:00:00.000Z',
    'started',
    [
      ['delivered', '2026-01-06T09:00:00.000Z'],
      ['accepted', '2026-01-07T09:00:00.000Z'],
      ['started', '2026-01-15T09:00:00.000Z'],
    ],
    { concerns: ['absence'] },
  );
  const R2 = lead(
    2,
    'jgt-amsterdam',
    '2026-01-10T09:00:00.000Z',
    '2026-01-24T09:00:00.000Z',
    'closed',
    [
      ['accepted', '2026-01-13T21:00:00.000Z'],
      ['started', '2026-01-30T09:00:00.000Z'],
      ['closed', '2026-02-20T09:00:00.000Z'],
    ],
    { schoolLocation: '12AB01', concerns: ['absence', 'home-situation'] },
  );
  const R3 = lead(
    3,
    'jgt-amsterdam',
    '2026-02-02T09:00:00.000Z',
    '2026-02-07T09:00:00.000Z',
    'accepted',
    [['accepted', '2026-02-03T09:00:00.000Z']],
    { urgency: 'urgent', concerns: ['safety'] },
  );
  const R4 = lead(4, 'jgt-amsterdam', '2026-02-20T09:00:00.000Z', '2026-03-06T09:00:00.000Z', 'queued', [], {
    concerns: ['absence'],
  });
  const R5 = lead(
    5,
    'jgt-amsterdam',
    '2026-01-20T09:00:00.000Z',
    '2026-02-03T09:00:00.000Z',
    'rejected',
    [['rejected', '2026-01-22T09:00:00.000Z']],
    { schoolLocation: '12AB01', concerns: ['behaviour'] },
  );
  const R6 = lead(
    6,
    'jgt-oost',
    '2026-01-12T09:00:00.000Z',
    '2026-01-26T09:00:00.000Z',
    'started',
    [
      ['accepted', '2026-01-12T21:00:00.000Z'],
      ['started', '2026-01-26T09:00:00.000Z'],
    ],
    { concerns: ['home-situation'] },
  );
  const R7 = lead(7, 'jgt-oost', '2026-01-31T23:30:00.000Z', undefined, 'queued', [], {
    clockStartAt: undefined,
    schoolLocation: undefined,
    concerns: ['learning'],
  });

  // Not Amsterdam's referrals in the period: none may count.
  const notCounted = [
    storedReferral({
      id: referralId(11),
      requestType: 'consultation',
      createdAt: '2026-01-15T09:00:00.000Z',
    }),
    storedReferral({
      id: referralId(12),
      teamId: 'jgt-hillegom',
      municipality: '0534',
      createdAt: '2026-01-15T09:00:00.000Z',
    }),
    // Amsterdam's pupil, but referred before 1 January in Amsterdam (23:00Z on 31 December).
    storedReferral({ id: referralId(13), createdAt: '2025-12-31T22:59:59.999Z' }),
    // And after 28 February in Amsterdam.
    storedReferral({ id: referralId(14), createdAt: '2026-02-28T23:00:00.000Z' }),
  ];

  function setup(config: DeploymentConfig = CONFIG) {
    const store = new InMemoryStateStore();
    for (const referral of [R1, R2, R3, R4, R5, R6, R7, ...notCounted]) store.putReferral(referral);
    return depsWith(store, NOW, config);
  }

  const leadTimes = (
    deps: FollowSignalsDeps,
    query: Record<string, string>,
    client: Client = municipalityClient(['0363']),
  ) =>
    getLeadTimes(deps, {
      client,
      user: undefined,
      query: FOLLOW_SIGNALS_OPERATIONS.getLeadTimes.query.parse(query),
    });

  it('measures from the clock start, not from when the referral was made (a re-route, an assignment)', async () => {
    const store = new InMemoryStateStore();
    // Discussed on 10 January; the team it first went to rejected it; assigned on the 15th; started on the 20th.
    store.putReferral(
      lead(
        21,
        'jgt-amsterdam',
        '2026-01-10T09:00:00.000Z',
        '2026-01-24T09:00:00.000Z',
        'started',
        [['started', '2026-01-20T09:00:00.000Z']],
        { createdAt: '2026-01-15T09:00:00.000Z', followsConsultation: signalId(30) },
      ),
    );
    store.putReferral(
      lead(22, 'jgt-amsterdam', '2026-01-10T09:00:00.000Z', '2026-01-24T09:00:00.000Z', 'queued', [], {}),
    );
    const deps = depsWith(store, NOW, CONFIG);

    const view = await leadTimes(deps, { from: '2026-01-01', to: '2026-02-28', groupBy: 'team' });

    expect(view.groups).toEqual([
      expect.objectContaining({
        key: 'jgt-amsterdam',
        count: 2,
        // Ten days from the discussion (five from the assignment would be wrong).
        toStarted: { medianDays: 10, p90Days: 10, withinGoal: 0.5 },
        afterConsultation: 1,
      }),
    ]);
  });

  it('answers the figures per team', async () => {
    const deps = setup();

    const view = await leadTimes(deps, { ...QUERY, groupBy: 'team' });

    expect(LeadTimesSchema.parse(view)).toEqual(view);
    expect(view).toEqual({
      municipality: '0363',
      goalDays: 14,
      urgentGoalDays: 5,
      from: '2026-01-01',
      to: '2026-02-28',
      groupBy: 'team',
      groups: [
        {
          // R1–R5. Accepted after 1.0, 2.0, 3.5 days; started after 10.0 and 20.0. Known against
          // the goal: R1 (in time), R2 (late), R3 (waiting past its 5 days): 1 of 3.
          key: 'jgt-amsterdam',
          count: 5,
          toAccepted: { medianDays: 2, p90Days: 3.5 },
          toStarted: { medianDays: 15, p90Days: 20, withinGoal: 0.333 },
          open: 2, // R3, R4
          overdue: 1, // R3
          afterConsultation: 0,
        },
        {
          // R6, R7. R6 started on the instant it was due: in time; R7 waits past its goal.
          key: 'jgt-oost',
          count: 2,
          toAccepted: { medianDays: 0.5, p90Days: 0.5 },
          toStarted: { medianDays: 14, p90Days: 14, withinGoal: 0.5 },
          open: 1,
          overdue: 1,
          afterConsultation: 0,
        },
      ],
    });
  });

  it('answers the figures per month the clock started, on the Dutch calendar', async () => {
    const deps = setup();

    const view = await leadTimes(deps, { ...QUERY, groupBy: 'month' });

    expect(view.groups).toEqual([
      {
        // R1, R2, R5, R6. Accepted 0.5, 2.0, 3.5; started 10, 14, 20 (p90: rank 3 of 3).
        key: '2026-01',
        count: 4,
        toAccepted: { medianDays: 2, p90Days: 3.5 },
        toStarted: { medianDays: 14, p90Days: 20, withinGoal: 0.667 },
        open: 0,
        overdue: 0,
        afterConsultation: 0,
      },
      {
        // R3, R4 and R7 (31 January 23:30Z is 1 February in Amsterdam). None started; R3 and R7 late.
        key: '2026-02',
        count: 3,
        toAccepted: { medianDays: 1, p90Days: 1 },
        toStarted: { medianDays: null, p90Days: null, withinGoal: 0 },
        open: 3,
        overdue: 2,
        afterConsultation: 0,
      },
    ]);
  });

  it('counts a referral in each of its concerns', async () => {
    const deps = setup();

    const view = await leadTimes(deps, { ...QUERY, groupBy: 'concern' });

    expect(view.groups).toEqual([
      {
        // R1, R2, R4. Accepted 2.0 and 3.5: median 2.75, shown 2.8.
        key: 'absence',
        count: 3,
        toAccepted: { medianDays: 2.8, p90Days: 3.5 },
        toStarted: { medianDays: 15, p90Days: 20, withinGoal: 0.5 },
        open: 1,
        overdue: 0,
        afterConsultation: 0,
      },
      {
        // R5: rejected before it started, so in the count only.
        key: 'behaviour',
        count: 1,
        toAccepted: { medianDays: null, p90Days: null },
        toStarted: { medianDays: null, p90Days: null, withinGoal: null },
        open: 0,
        overdue: 0,
        afterConsultation: 0,
      },
      {
        // R2, R6. Accepted 3.5 and 0.5; started 20 and 14.
        key: 'home-situation',
        count: 2,
        toAccepted: { medianDays: 2, p90Days: 3.5 },
        toStarted: { medianDays: 17, p90Days: 20, withinGoal: 0.5 },
        open: 0,
        overdue: 0,
        afterConsultation: 0,
      },
      {
        key: 'learning', // R7
        count: 1,
        toAccepted: { medianDays: null, p90Days: null },
        toStarted: { medianDays: null, p90Days: null, withinGoal: 0 },
        open: 1,
        overdue: 1,
        afterConsultation: 0,
      },
      {
        key: 'safety', // R3
        count: 1,
        toAccepted: { medianDays: 1, p90Days: 1 },
        toStarted: { medianDays: null, p90Days: null, withinGoal: 0 },
        open: 1,
        overdue: 1,
        afterConsultation: 0,
      },
    ]);
    // R2 counts under absence and home-situation: 8 in the groups for 7 referrals.
    expect(view.groups.reduce((sum, g) => sum + g.count, 0)).toBe(8);
  });

  it('answers the figures per school location, a referral without one under unknown', async () => {
    const deps = setup();

    const view = await leadTimes(deps, { ...QUERY, groupBy: 'school' });

    expect(view.groups).toEqual([
      {
        // R1, R3, R4, R6. Accepted 0.5, 1.0, 2.0; started 10 and 14; known: R1, R6 in time, R3 late.
        key: '12AB00',
        count: 4,
        toAccepted: { medianDays: 1, p90Days: 2 },
        toStarted: { medianDays: 12, p90Days: 14, withinGoal: 0.667 },
        open: 2,
        overdue: 1,
        afterConsultation: 0,
      },
      {
        key: '12AB01', // R2, R5
        count: 2,
        toAccepted: { medianDays: 3.5, p90Days: 3.5 },
        toStarted: { medianDays: 20, p90Days: 20, withinGoal: 0 },
        open: 0,
        overdue: 0,
        afterConsultation: 0,
      },
      {
        key: 'unknown', // R7
        count: 1,
        toAccepted: { medianDays: null, p90Days: null },
        toStarted: { medianDays: null, p90Days: null, withinGoal: 0 },
        open: 1,
        overdue: 1,
        afterConsultation: 0,
      },
    ]);
  });

  it('leaves out consultations, other municipalities and referrals made outside the Dutch days', async () => {
    const deps = setup();

    const view = await leadTimes(deps, { ...QUERY, groupBy: 'team' });

    expect(view.groups.map((g) => [g.key, g.count])).toEqual([
      ['jgt-amsterdam', 5],
      ['jgt-oost', 2],
    ]);
  });

  it.each([
    // 1 January starts at 23:00Z the day before (winter time), 1 July at 22:00Z (summer time).
    ['2025-12-31T23:00:00.000Z', '2026-01-01', '2026-01-01', 1],
    ['2025-12-31T22:59:59.999Z', '2026-01-01', '2026-01-01', 0],
    ['2026-06-30T21:59:59.999Z', '2026-06-30', '2026-06-30', 1],
    ['2026-06-30T22:00:00.000Z', '2026-06-30', '2026-06-30', 0],
  ])('counts a referral made at %s in the days %s to %s: %i', async (createdAt, from, to, count) => {
    const store = new InMemoryStateStore();
    store.putReferral(storedReferral({ id: referralId(20), createdAt, dueAt: '2026-07-15T00:00:00.000Z' }));
    const deps = depsWith(store, NOW);

    const view = await leadTimes(deps, { from, to, groupBy: 'team' });

    expect(view.groups.reduce((sum, g) => sum + g.count, 0)).toBe(count);
  });

  it('reads each team serving the municipality, by rule or by configuration, for its pupils only', async () => {
    const deps = setup();
    const spy = vi.spyOn(deps.signals, 'referralsMade');

    await leadTimes(deps, { ...QUERY, groupBy: 'team' });

    expect(spy.mock.calls).toEqual([
      ['jgt-amsterdam', '0363', '2025-12-31T23:00:00.000Z', '2026-02-28T23:00:00.000Z'],
      ['jgt-oost', '0363', '2025-12-31T23:00:00.000Z', '2026-02-28T23:00:00.000Z'],
    ]);
  });

  it('judges a referral stored without a goal by the goal configured now', async () => {
    // A 30-day goal for Amsterdam puts R7 (no dueAt) due on 03-02 23:30Z: open, not yet overdue on
    // 1 March, so R6 is the only one known against the goal. R1–R6 keep the goals stored on them.
    const config = {
      ...CONFIG,
      leadTimes: { municipalities: { '0363': { regularDays: 30, urgentDays: 7 } } },
    };
    const deps = setup(config);

    const view = await leadTimes(deps, { ...QUERY, groupBy: 'team' });

    expect(view).toMatchObject({ goalDays: 30, urgentGoalDays: 7 });
    expect(view.groups.find((g) => g.key === 'jgt-oost')).toEqual({
      key: 'jgt-oost',
      count: 2,
      toAccepted: { medianDays: 0.5, p90Days: 0.5 },
      toStarted: { medianDays: 14, p90Days: 14, withinGoal: 1 },
      open: 1,
      overdue: 0,
      afterConsultation: 0,
    });
    expect(view.groups.find((g) => g.key === 'jgt-amsterdam')).toMatchObject({
      toStarted: { withinGoal: 0.333 },
      overdue: 1,
      afterConsultation: 0,
    });
  });

  it('answers no groups when no referral was made in the period', async () => {
    const deps = setup();

    const view = await leadTimes(deps, { from: '2025-01-01', to: '2025-06-30', groupBy: 'team' });

    expect(view.groups).toEqual([]);
  });

  describe('scope', () => {
    it('answers NotFoundError to a municipality asking for another code', async () => {
      const deps = setup();

      const error = await rejection(
        leadTimes(deps, { ...QUERY, groupBy: 'team', municipality: '0534' }, municipalityClient(['0363'])),
      );

      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('requires municipality, naming it, of a municipality with several codes', async () => {
      const deps = setup();

      const error = await rejection(
        leadTimes(deps, { ...QUERY, groupBy: 'team' }, municipalityClient(['0363', '0534'])),
      );

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams.map((p) => p.name)).toEqual(['municipality']);
    });

    it('requires municipality, naming it, of an admin', async () => {
      const deps = setup();

      const error = await rejection(leadTimes(deps, { ...QUERY, groupBy: 'team' }, admin));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams).toEqual([
        { name: 'municipality', reason: 'is required' },
      ]);
    });

    it.each<[string, Client, Record<string, string>]>([
      ['an admin naming it', admin, { municipality: '0363' }],
      [
        'a municipality with several codes naming it',
        municipalityClient(['0534', '0363']),
        { municipality: '0363' },
      ],
    ])('answers %s the municipality’s figures', async (_case, client, extra) => {
      const deps = setup();

      const view = await leadTimes(deps, { ...QUERY, groupBy: 'team', ...extra }, client);

      expect(view.municipality).toBe('0363');
      expect(view.groups.map((g) => [g.key, g.count])).toEqual([
        ['jgt-amsterdam', 5],
        ['jgt-oost', 2],
      ]);
    });

    it('answers Hillegom only its own referrals', async () => {
      const deps = setup();

      const view = await leadTimes(deps, { ...QUERY, groupBy: 'team' }, municipalityClient(['0534']));

      expect(view.municipality).toBe('0534');
      expect(view.groups.map((g) => [g.key, g.count])).toEqual([['jgt-hillegom', 1]]);
    });
  });
});
