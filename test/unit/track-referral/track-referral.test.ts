import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import type { ReferralStatus, TeamEventType } from '../../../domain/referral-state.js';
import {
  ConflictError,
  GoneError,
  InvalidCursorError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../../../functions/shared/errors.js';
import type { AccessRecord, StoredReferral } from '../../../functions/shared/model.js';
import type { AccessLog } from '../../../functions/shared/ports/access-log.js';
import { TRACK_REFERRAL_OPERATIONS } from '../../../functions/track-referral/declaration.js';
import {
  getReferral,
  listReferrals,
  recordReferralEvent,
} from '../../../functions/track-referral/track-referral.js';
import type { Client } from '../../../schemas/client.js';
import type { DeploymentConfig } from '../../../schemas/deployment-config.js';
import { ReferralEventInputSchema } from '../../../schemas/referral.js';
import { ReferralListItemSchema, ReferralViewSchema } from '../../../schemas/views.js';
import { municipalityClient, schoolClient, teamClient } from '../../helpers/clients.js';
import { referralSubmission, storedReferral, storedSignal } from '../../helpers/factories.js';
import { HUB_CONFIG } from '../../helpers/fake-hub.js';
import {
  FakeAccessLog,
  FakeTeamQueue,
  FakeVault,
  fixedClock,
  InMemoryStateStore,
  sequentialIds,
} from '../../helpers/fakes.js';
import { rejection } from '../../helpers/rejection.js';

const NOW = '2026-11-25T14:00:00.000Z';
const READ_ID = '00000000-0000-4000-8000-000000000064';
const signal = storedSignal({ status: 'routed', version: 2, referralIds: [storedReferral().id] });
const own = storedReferral();
const team = teamClient('jgt-amsterdam');

function setup(status: ReferralStatus = 'queued', access: AccessLog = new FakeAccessLog()) {
  const referrals = new InMemoryStateStore();
  referrals.putSignal(signal);
  referrals.putReferral({ ...own, status, version: 3 });
  const vault = new FakeVault();
  vault.keep(signal.sealedSubmission, signal.id, referralSubmission());
  return {
    referrals,
    access,
    vault,
    config: HUB_CONFIG,
    teams: new FakeTeamQueue(),
    deployment: HUB_CONFIG.deployment,
    now: fixedClock(NOW),
    newId: sequentialIds(100),
  };
}

const foreignCallers: [string, Client][] = [
  ['another team', teamClient('jgt-hillegom')],
  ['a provider without a team', teamClient('jgt-amsterdam', { scope: {} })],
  ['a school', schoolClient()],
  ['a municipality', municipalityClient(['0363'])],
  ['an admin', { ...municipalityClient(['0363']), role: 'admin' }],
];

describe('getReferral', () => {
  it('returns the referral with the pupil data to the team it was sent to', async () => {
    const deps = setup('delivered');

    const view = await getReferral(deps, { client: team, user: 'm.jansen', id: own.id });

    expect(ReferralViewSchema.parse(view)).toMatchObject({
      id: own.id,
      signalId: signal.id,
      teamId: 'jgt-amsterdam',
      status: 'delivered',
      signal: {
        requestType: 'referral',
        schoolLocation: '12AB00',
        summary: 'Frequent absence since October; parents ask for support.',
        pupil: { bsn: '999900018', birthDate: '2015-03-14' },
        consent: { parents: true, pupil: false },
        contact: { name: 'J. de Vries' },
      },
    });
  });

  it('tells the team which consultation of the school the referral follows up', async () => {
    const deps = setup('delivered');
    const consultationId = '5d0c8c4e-6f0a-4c53-9f1e-0000000000c1';
    deps.referrals.putReferral({
      ...own,
      status: 'delivered',
      version: 3,
      followsConsultation: consultationId,
    });

    const view = await getReferral(deps, { client: team, user: undefined, id: own.id });

    expect(ReferralViewSchema.parse(view).followsConsultation).toBe(consultationId);
  });

  it('records the read with who, for which team, which object and the pseudonym', async () => {
    const access = new FakeAccessLog();
    const deps = setup('delivered', access);

    await getReferral(deps, { client: team, user: 'm.jansen', id: own.id });

    expect(access.records).toEqual<AccessRecord[]>([
      {
        id: READ_ID,
        municipality: '0363',
        objectType: 'referral',
        objectId: own.id,
        objectVersion: 3, // the version setup() stored
        signalId: signal.id,
        pupilPseudonym: own.pupilPseudonym as string,
        change: {
          eventType: 'referral.read',
          at: NOW,
          actor: {
            clientId: 'team-jgt-amsterdam',
            role: 'provider',
            organisation: 'Jeugdteams',
            user: 'm.jansen',
          },
          onBehalfOf: { teamId: 'jgt-amsterdam' },
          details: { status: 'delivered' },
        },
      },
    ]);
  });

  it('puts no pupil identity or free text in the read record', async () => {
    const access = new FakeAccessLog();
    const deps = setup('queued', access);

    await getReferral(deps, { client: team, user: undefined, id: own.id });

    const text = JSON.stringify(access.records);
    for (const secret of ['999900018', '2015-03-14', '1011AB', 'J. de Vries', 'Frequent absence']) {
      expect(text).not.toContain(secret);
    }
  });

  it('does not hand out the data before the read is recorded', async () => {
    let finishRecording: () => void = () => {};
    const slowAccess: AccessLog = {
      recordRead: () =>
        new Promise<void>((resolve) => {
          finishRecording = resolve;
        }),
    };
    const deps = setup('queued', slowAccess);
    let settled = false;

    const reading = getReferral(deps, { client: team, user: undefined, id: own.id }).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));

    expect(settled).toBe(false);
    finishRecording();
    await expect(reading).resolves.toMatchObject({ id: own.id });
  });

  it('hands out no data and passes the error on when recording the read fails', async () => {
    const access = new FakeAccessLog();
    const failure = new Error('state table unavailable');
    access.failNext(failure);
    const deps = setup('queued', access);

    const error = await rejection(getReferral(deps, { client: team, user: undefined, id: own.id }));

    expect(error).toBe(failure);
    expect(access.records).toEqual([]);
  });

  it.each(foreignCallers)(
    'answers NotFoundError to %s and records no read (Invariant 5)',
    async (_who, client) => {
      const access = new FakeAccessLog();
      const deps = setup('queued', access);

      const error = await rejection(getReferral(deps, { client, user: undefined, id: own.id }));

      expect(error).toBeInstanceOf(NotFoundError);
      expect(access.records).toEqual([]);
    },
  );

  it('answers another team exactly as it answers an unknown id', async () => {
    const deps = setup();

    const foreign = await rejection(
      getReferral(deps, { client: teamClient('jgt-hillegom'), user: undefined, id: own.id }),
    );
    const unknown = await rejection(
      getReferral(deps, { client: team, user: undefined, id: '00000000-0000-4000-8000-0000000fffff' }),
    );

    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(foreign.message).toBe(unknown.message);
  });
});

describe('recordReferralEvent', () => {
  /** The body as the operation's validation hands it on; bad bodies are the handler test's part. */
  const record = (deps: ReturnType<typeof setup>, body: unknown, client: Client = team) =>
    recordReferralEvent(deps, {
      client,
      user: 'm.jansen',
      id: own.id,
      event: ReferralEventInputSchema.parse(body),
    });

  it.each<[ReferralStatus, TeamEventType, string | undefined]>([
    ['queued', 'delivered', undefined],
    ['delivered', 'accepted', undefined],
    ['accepted', 'started', undefined],
    ['started', 'closed', undefined],
    ['queued', 'rejected', 'Geen jeugdhulpvraag'],
    ['delivered', 'rejected', 'Woont buiten de gemeente'],
    ['accepted', 'rejected', 'Al in zorg elders'],
  ])('moves a %s referral to %s', async (from, type, reason) => {
    const deps = setup(from);

    const state = await record(deps, { type, ...(reason ? { reason } : {}) });

    expect(state).toMatchObject({ id: own.id, status: type, updatedAt: NOW });
    expect(state.history.at(-1)).toEqual({ status: type, at: NOW, ...(reason ? { reason } : {}) });
    expect(deps.referrals.allReferrals()[0]).toMatchObject({ status: type, version: 4 });
  });

  it('records the change for the audit with who did it and the statuses, not the reason', async () => {
    const deps = setup('delivered');

    await record(deps, { type: 'rejected', reason: 'Gezin weigert hulp' });

    const stored = deps.referrals.allReferrals()[0];
    expect(stored?.lastChange).toEqual({
      eventType: 'referral.rejected',
      at: NOW,
      actor: {
        clientId: 'team-jgt-amsterdam',
        role: 'provider',
        organisation: 'Jeugdteams',
        user: 'm.jansen',
      },
      onBehalfOf: { teamId: 'jgt-amsterdam' },
      details: { fromStatus: 'delivered', toStatus: 'rejected' },
    });
    expect(stored?.history.at(-1)?.reason).toBe('Gezin weigert hulp');
  });

  it('answers with the referral state and no pupil data', async () => {
    const deps = setup('queued');

    const state = await record(deps, { type: 'delivered' });

    const optional = ['dueAt', 'overdueAt'];
    expect(Object.keys(state).sort()).toEqual(
      [...Object.keys(ReferralListItemSchema.shape).filter((k) => !optional.includes(k)), 'history'].sort(),
    );
    expect(JSON.stringify(state)).not.toContain('999900018');
  });

  it.each<[ReferralStatus, TeamEventType]>([
    ['queued', 'accepted'],
    ['queued', 'started'],
    ['queued', 'closed'],
    ['delivered', 'started'],
    ['delivered', 'closed'],
    ['accepted', 'delivered'],
    ['accepted', 'closed'],
    ['started', 'delivered'],
    ['started', 'rejected'],
    ['closed', 'started'],
    ['rejected', 'accepted'],
    ['withdrawn', 'delivered'],
    ['withdrawn', 'rejected'],
  ])('raises ConflictError and writes nothing for %s → %s', async (from, type) => {
    const deps = setup(from);

    const error = await rejection(record(deps, { type, reason: 'Reden' }));

    expect(error).toBeInstanceOf(ConflictError);
    expect(deps.referrals.writes).toEqual([]);
    expect(deps.referrals.allReferrals()[0]?.status).toBe(from);
  });

  it.each<[TeamEventType, string | undefined]>([
    ['delivered', undefined],
    ['accepted', undefined],
    ['started', undefined],
    ['closed', undefined],
    ['rejected', 'Geen jeugdhulpvraag'],
  ])('answers the current state without writing when %s is reported again', async (status, reason) => {
    const deps = setup(status);

    const state = await record(deps, { type: status, ...(reason ? { reason } : {}) });

    expect(state).toMatchObject({ id: own.id, status });
    expect(deps.referrals.writes).toEqual([]);
    expect(deps.referrals.allReferrals()[0]?.version).toBe(3);
  });

  it('raises ConflictError when another writer changed the referral after it was read', async () => {
    const deps = setup('delivered');
    deps.referrals.beforeNextWrite(() =>
      deps.referrals.putReferral({ ...own, status: 'rejected', version: 4 }),
    );

    const error = await rejection(record(deps, { type: 'accepted' }));

    expect(error).toBeInstanceOf(ConflictError);
    expect(deps.referrals.allReferrals()[0]).toMatchObject({ status: 'rejected', version: 4 });
  });

  it('answers the new state, not a conflict, when the same report sent in parallel won the race', async () => {
    const deps = setup('delivered');
    deps.referrals.beforeNextWrite(() =>
      deps.referrals.putReferral({ ...own, status: 'accepted', version: 4 }),
    );

    const state = await record(deps, { type: 'accepted' });

    expect(state).toMatchObject({ id: own.id, status: 'accepted' });
    expect(deps.referrals.writes).toEqual([]);
    expect(deps.referrals.allReferrals()[0]).toMatchObject({ status: 'accepted', version: 4 });
  });

  it.each(foreignCallers)('answers NotFoundError to %s and writes nothing', async (_who, client) => {
    const deps = setup('queued');

    const error = await rejection(record(deps, { type: 'delivered' }, client));

    expect(error).toBeInstanceOf(NotFoundError);
    expect(deps.referrals.writes).toEqual([]);
  });
});

describe('listReferrals', () => {
  const at = (minute: number) => `2026-11-2${minute % 10}T10:00:00.000Z`;

  function listSetup() {
    const referrals = new InMemoryStateStore();
    const ids = [1, 2, 3, 4].map((n) => `7e1d9d5f-7a1b-4d64-8a2f-00000000000${n}`);
    ids.forEach((id, i) => {
      referrals.putReferral(
        storedReferral({
          id,
          createdAt: at(i + 1),
          updatedAt: at(i + 1),
          status: i % 2 ? 'accepted' : 'queued',
        }),
      );
    });
    referrals.putReferral(
      storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-0000000000ff', teamId: 'jgt-hillegom' }),
    );
    return {
      deps: {
        referrals,
        access: new FakeAccessLog(),
        vault: new FakeVault(),
        config: HUB_CONFIG,
        teams: new FakeTeamQueue(),
        deployment: HUB_CONFIG.deployment,
        now: fixedClock(NOW),
      },
      ids,
    };
  }

  const list = (
    deps: ReturnType<typeof listSetup>['deps'],
    query: Record<string, string>,
    client: Client = team,
  ) =>
    listReferrals(deps, {
      client,
      user: undefined,
      query: TRACK_REFERRAL_OPERATIONS.listReferrals.query.parse(query),
    });

  it('lists only the calling team’s referrals, newest first, without pupil data', async () => {
    const { deps, ids } = listSetup();

    const page = await list(deps, {});

    expect(page.items.map((r) => r.id)).toEqual([...ids].reverse());
    expect(page).not.toHaveProperty('next');
    for (const item of page.items)
      expect(z.strictObject(ReferralListItemSchema.shape).parse(item)).toEqual(item);
  });

  it('asks the store for 50 items when no limit is given', async () => {
    const { deps } = listSetup();
    const spy = vi.spyOn(deps.referrals, 'listTeamReferrals');

    await list(deps, {});

    expect(spy).toHaveBeenCalledWith('jgt-amsterdam', { limit: 50 });
  });

  it('pages with limit and the returned cursor', async () => {
    const { deps, ids } = listSetup();

    const first = await list(deps, { limit: '3' });
    const second = await list(deps, { limit: '3', cursor: first.next as string });

    expect(first.items.map((r) => r.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(second.items.map((r) => r.id)).toEqual([ids[0]]);
    expect(second).not.toHaveProperty('next');
  });

  it('filters by status', async () => {
    const { deps, ids } = listSetup();

    const page = await list(deps, { status: 'accepted' });

    expect(page.items.map((r) => r.id)).toEqual([ids[3], ids[1]]);
  });

  it.each(['1', '100'])('accepts limit %s', async (limit) => {
    const { deps } = listSetup();

    await expect(list(deps, { limit })).resolves.toHaveProperty('items');
  });

  it('refuses a cursor issued for another team’s list', async () => {
    const { deps } = listSetup();
    const hillegom = teamClient('jgt-hillegom');
    deps.referrals.putReferral(
      storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-0000000000fe', teamId: 'jgt-hillegom' }),
    );
    const theirs = await list(deps, { limit: '1' }, hillegom);

    const error = await rejection(list(deps, { cursor: theirs.next as string }));

    expect(error).toBeInstanceOf(InvalidCursorError);
  });

  it.each(foreignCallers.filter(([who]) => !['another team', 'a municipality'].includes(who)))(
    'answers NotFoundError to %s',
    async (_who, client) => {
      const { deps } = listSetup();

      const error = await rejection(list(deps, {}, client));

      expect(error).toBeInstanceOf(NotFoundError);
    },
  );
});

describe('a rejection routes the signal on', () => {
  const SAFETY_TEAM = 'cjg-veiligheid';
  const config: DeploymentConfig = {
    deployment: 'demo',
    teams: [
      { id: 'jgt-amsterdam', name: 'JGT Amsterdam', kind: 'jgt', organisation: 'OKT' },
      { id: SAFETY_TEAM, name: 'CJG Veiligheid', kind: 'cjg', organisation: 'OKT' },
      { id: 'jgt-west', name: 'JGT West', kind: 'jgt', organisation: 'OKT', municipalities: ['0363'] },
      { id: 'jgt-hillegom', name: 'JGT Hillegom', kind: 'jgt', organisation: 'JGT DB' },
    ],
    routingRules: [
      { id: 'amsterdam-default', municipality: '0363', teamId: 'jgt-amsterdam' },
      { id: 'amsterdam-safety', municipality: '0363', teamId: SAFETY_TEAM, concerns: ['safety'] },
      { id: 'hillegom-default', municipality: '0534', teamId: 'jgt-hillegom' },
    ],
  };
  const safetyReferral = storedReferral({
    id: '7e1d9d5f-7a1b-4d64-8a2f-0000000000a1',
    teamId: SAFETY_TEAM,
    ruleId: 'amsterdam-safety',
    concerns: ['safety'],
    status: 'delivered',
    version: 2,
  });
  const safetySignal = storedSignal({
    status: 'routed',
    version: 2,
    concerns: ['safety'],
    clockStartAt: '2026-11-17T23:00:00.000Z',
    referralIds: [safetyReferral.id],
  });
  const safetyTeam = teamClient(SAFETY_TEAM);

  function rerouteSetup(extra: StoredReferral[] = []) {
    const referrals = new InMemoryStateStore();
    referrals.putSignal({ ...safetySignal, referralIds: [safetyReferral.id, ...extra.map((r) => r.id)] });
    referrals.putReferral(safetyReferral);
    for (const r of extra) referrals.putReferral(r);
    return {
      referrals,
      access: new FakeAccessLog(),
      vault: new FakeVault(),
      config,
      teams: new FakeTeamQueue(),
      deployment: 'demo',
      now: fixedClock(NOW),
    };
  }
  const reject = (
    deps: ReturnType<typeof rerouteSetup>,
    body: Record<string, unknown> = {},
    client = safetyTeam,
  ) =>
    recordReferralEvent(deps, {
      client,
      user: undefined,
      id: safetyReferral.id,
      event: ReferralEventInputSchema.parse({ type: 'rejected', reason: 'Geen veiligheidsvraag', ...body }),
    });

  it('queues a referral to the most specific rule’s team that has not rejected it, in the same step', async () => {
    const deps = rerouteSetup();

    await reject(deps);

    const [signalNow] = deps.referrals.allSignals();
    const next = deps.referrals.allReferrals().find((r) => r.teamId === 'jgt-amsterdam');
    expect(next).toMatchObject({
      status: 'queued',
      ruleId: 'amsterdam-default',
      routedBy: 'rule',
      clockStartAt: '2026-11-17T23:00:00.000Z',
      // The clock keeps its start: 14 days from the care-team discussion, not from the re-route.
      dueAt: '2026-12-01T23:00:00.000Z',
      history: [{ status: 'queued', at: NOW }],
    });
    expect(signalNow).toMatchObject({
      status: 'routed',
      referralIds: [safetyReferral.id, next?.id],
      version: 3,
    });
    expect(signalNow?.lastChange).toMatchObject({
      eventType: 'signal.routed',
      actor: { role: 'system' },
      details: { teamId: 'jgt-amsterdam', routedBy: 'rule', afterRejectionOf: safetyReferral.id },
    });
    expect(deps.teams.published.map((p) => [p.teamId, p.event.type])).toEqual([
      ['jgt-amsterdam', 'nl.schakel.referral.queued.v1'],
    ]);
  });

  it('goes to the suggested team of the same municipality first, and keeps the suggestion in the history', async () => {
    const deps = rerouteSetup();

    await reject(deps, { suggestedTeamId: 'jgt-west' });

    const rejected = deps.referrals.allReferrals().find((r) => r.id === safetyReferral.id);
    const next = deps.referrals.allReferrals().find((r) => r.id !== safetyReferral.id);
    expect(rejected?.history.at(-1)).toEqual({
      status: 'rejected',
      at: NOW,
      reason: 'Geen veiligheidsvraag',
      suggestedTeamId: 'jgt-west',
    });
    expect(next).toMatchObject({ teamId: 'jgt-west', routedBy: 'suggestion', ruleId: 'suggestion' });
  });

  it.each([
    ['a team of another municipality', 'jgt-hillegom', 'is not a team of municipality 0363'],
    ['an unknown team', 'jgt-nergens', 'is not a team of this hub'],
    ['the rejecting team itself', SAFETY_TEAM, 'must be another team than the one rejecting'],
  ])(
    'refuses a suggestion of %s, naming suggestedTeamId, and stores nothing',
    async (_case, teamId, reason) => {
      const deps = rerouteSetup();

      const error = await rejection(reject(deps, { suggestedTeamId: teamId }));

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).invalidParams).toEqual([{ name: 'suggestedTeamId', reason }]);
      expect(deps.referrals.writes).toEqual([]);
      expect(deps.teams.published).toEqual([]);
    },
  );

  it('parks the signal as all-teams-rejected for the municipality when no matching team is left', async () => {
    const rejectedBefore = storedReferral({
      id: '7e1d9d5f-7a1b-4d64-8a2f-0000000000a0',
      teamId: 'jgt-amsterdam',
      status: 'rejected',
    });
    const deps = rerouteSetup([rejectedBefore]);

    await reject(deps);

    const [signalNow] = deps.referrals.allSignals();
    expect(signalNow).toMatchObject({ status: 'unroutable', unroutableReason: 'all-teams-rejected' });
    expect(signalNow?.lastChange).toMatchObject({
      eventType: 'signal.unroutable',
      details: { reason: 'all-teams-rejected', rejectedReferrals: 2 },
    });
    expect(deps.referrals.allReferrals()).toHaveLength(2);
    expect(deps.teams.published).toEqual([]);
  });

  it('routes nothing while another referral of the signal is open (never two open referrals to one team)', async () => {
    const open = storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-0000000000a2', teamId: 'jgt-amsterdam' });
    const deps = rerouteSetup([open]);

    await reject(deps);

    expect(deps.referrals.allReferrals()).toHaveLength(2);
    expect(deps.referrals.allSignals()[0]).toMatchObject({ status: 'routed', version: 2 });
  });

  it('judges a rejection again when an acceptance won the race, and rejects the accepted referral', async () => {
    const deps = rerouteSetup();
    deps.referrals.beforeNextWrite(() =>
      deps.referrals.putReferral({
        ...safetyReferral,
        status: 'accepted',
        version: safetyReferral.version + 1,
      }),
    );

    const state = await reject(deps);

    expect(state.status).toBe('rejected');
    expect(deps.referrals.allReferrals().map((r) => [r.teamId, r.status])).toEqual([
      [SAFETY_TEAM, 'rejected'],
      ['jgt-amsterdam', 'queued'],
    ]);
  });

  it('answers 503 when the next team cannot be told, and the repeated rejection tells it', async () => {
    const deps = rerouteSetup();
    deps.teams.failNext();

    const error = await rejection(reject(deps));
    const stored = deps.referrals.allReferrals();
    const repeat = await reject(deps);

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(stored).toHaveLength(2);
    expect(repeat.status).toBe('rejected');
    expect(deps.referrals.allReferrals()).toHaveLength(2);
    expect(deps.teams.published.map((p) => p.teamId)).toEqual(['jgt-amsterdam']);
  });
});

describe('withdrawal ends access', () => {
  it('answers 410 with reason withdrawn to the team reading a withdrawn referral, and records no read', async () => {
    const access = new FakeAccessLog();
    const deps = setup('withdrawn', access);

    const error = await rejection(getReferral(deps, { client: team, user: undefined, id: own.id }));

    expect(error).toBeInstanceOf(GoneError);
    expect((error as GoneError).reason).toBe('withdrawn');
    expect(access.records).toEqual([]);
  });
});

describe('withdrawal ends access for every team of the signal', () => {
  it('answers 410 withdrawn to a team that had rejected the referral before the school withdrew', async () => {
    const access = new FakeAccessLog();
    const deps = setup('rejected', access);
    deps.referrals.putSignal({
      ...signal,
      status: 'withdrawn',
      version: 3,
      updatedAt: '2026-11-26T09:00:00.000Z',
    });

    const error = await rejection(getReferral(deps, { client: team, user: undefined, id: own.id }));

    expect(error).toBeInstanceOf(GoneError);
    expect((error as GoneError).reason).toBe('withdrawn');
    expect(error.message).toContain('2026-11-26T09:00:00.000Z');
    expect(access.records).toEqual([]);
  });
});

describe('listReferrals for a municipality', () => {
  function overdueSetup() {
    const referrals = new InMemoryStateStore();
    referrals.putReferral(
      storedReferral({
        status: 'accepted',
        dueAt: '2026-11-20T10:00:00.000Z',
        overdueAt: '2026-11-20T11:00:00.000Z',
      }),
    );
    referrals.putReferral(
      storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-0000000000b1', dueAt: '2026-12-20T10:00:00.000Z' }),
    );
    return { ...setup(), referrals };
  }
  const municipality = municipalityClient(['0363']);

  it('lists the overdue referrals of its pupils, without pupil data', async () => {
    const deps = overdueSetup();

    const page = await listReferrals(deps, {
      client: municipality,
      user: undefined,
      query: { limit: 50, overdue: true },
    });

    expect(page.items.map((r) => [r.id, r.overdueAt])).toEqual([[own.id, '2026-11-20T11:00:00.000Z']]);
    expect(JSON.stringify(page)).not.toContain('pp-');
  });

  it('asks for overdue=true, and names the municipality when it has several', async () => {
    const deps = overdueSetup();

    const error = await rejection(
      listReferrals(deps, {
        client: municipalityClient(['0363', '0534']),
        user: undefined,
        query: { limit: 50 },
      }),
    );

    expect((error as ValidationError).invalidParams?.map((p) => p.name)).toEqual(['overdue', 'municipality']);
  });

  it('answers 404 for a municipality not its own', async () => {
    const deps = overdueSetup();

    const error = await rejection(
      listReferrals(deps, {
        client: municipality,
        user: undefined,
        query: { limit: 50, overdue: true, municipality: '0534' },
      }),
    );

    expect(error).toBeInstanceOf(NotFoundError);
  });
});
