import { randomUUID } from 'node:crypto';
import { utcTimestamp } from '../../domain/dates.js';
import type { ReferralStatus, TeamEventType } from '../../domain/referral-state.js';
import type { Client } from '../../schemas/client.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import { actorOf, SYSTEM_ACTOR } from '../shared/actor.js';
import {
  ConflictError,
  GoneError,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from '../shared/errors.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral, StoredSignal } from '../shared/model.js';
import type { AccessLog } from '../shared/ports/access-log.js';
import type { PupilDataVault } from '../shared/ports/pupil-data-vault.js';
import type { TeamQueue } from '../shared/ports/queues.js';
import type { ReferralStore } from '../shared/ports/referral-store.js';
import type { StateWrite } from '../shared/ports/state-writes.js';
import type { ReferralWork } from '../shared/ports/work-lists.js';
import { notifyTeams } from '../shared/referral-events.js';
import { chooseTeam, newReferral, servesMunicipality } from '../shared/routing-plan.js';
import { ownMunicipality, referralListQueryProblems } from '../shared/scopes.js';
import { nextSignal, referralWrite, signalWrite, stepReferral } from '../shared/state-changes.js';
import { toListItem, toReferralState, toReferralView } from './referral-views.js';

export interface TrackReferralDeps {
  referrals: ReferralStore & Pick<ReferralWork, 'overdueReferrals'>;
  access: AccessLog;
  vault: PupilDataVault;
  /** Teams and rules: a rejection routes the signal on to the next team. */
  config: DeploymentConfig;
  teams: TeamQueue;
  deployment: string;
  now: () => Date;
  newId?: () => string;
}

type Caller = { client: Client; user: string | undefined };

function ownTeam(client: Client): string {
  // Only a provider client has a team; for anyone else every referral is "not found".
  if (client.role !== 'provider' || !client.scope.teamId) throw new NotFoundError();
  return client.scope.teamId;
}

async function loadOwnReferral(deps: TrackReferralDeps, client: Client, id: string): Promise<StoredReferral> {
  const teamId = ownTeam(client);
  const referral = await deps.referrals.getReferral(id);
  if (!referral || referral.teamId !== teamId) throw new NotFoundError();
  return referral;
}

export interface ReferralListQuery {
  limit: number;
  cursor?: string | undefined;
  status?: ReferralStatus | undefined;
  overdue?: boolean | undefined;
  municipality?: string | undefined;
}

/**
 * A team lists its own referrals; a municipality the overdue referrals of its pupils (escalated,
 * still waiting to start), which carry no pupil data either.
 */
export async function listReferrals(deps: TrackReferralDeps, input: Caller & { query: ReferralListQuery }) {
  const { client, query } = input;
  const problems = referralListQueryProblems(client, query);
  if (problems.length) throw new ValidationError(problems);
  if (client.role === 'municipality') {
    const municipality = ownMunicipality(client, query.municipality, problems);
    if (!municipality) throw new ValidationError(problems);
    const page = await deps.referrals.overdueReferrals(municipality, query);
    return { items: page.items.map(toListItem), ...(page.next ? { next: page.next } : {}) };
  }
  const teamId = ownTeam(client);
  const page = await deps.referrals.listTeamReferrals(teamId, query);
  return { items: page.items.map(toListItem), ...(page.next ? { next: page.next } : {}) };
}

/** Hands out pupil data, so the read is recorded first: no audit record, no data. */
export async function getReferral(deps: TrackReferralDeps, input: Caller & { id: string }) {
  const referral = await loadOwnReferral(deps, input.client, input.id);
  const signal = await deps.referrals.getSignal(referral.signalId);
  if (!signal) throw new Error(`referral ${referral.id} points to a missing signal`);
  // Nothing of the pupil is handed out, so there is no read to record.
  if (signal.sealedSubmission === undefined) throw pupilDataGone(signal.pupilDataPurgedAt);
  // Withdrawal ends access (the parents withdrew consent, or the school its question): the team
  // keeps the status and history, the pupil data is no longer handed out; the audit keeps the facts.
  // A team that rejected it before the withdrawal has no more claim to it than the one withdrawn.
  if (referral.status === 'withdrawn' || signal.status === 'withdrawn') {
    throw pupilDataWithdrawn(referral.status === 'withdrawn' ? referral.updatedAt : signal.updatedAt);
  }
  const sealed = signal.sealedSubmission;
  await deps.access.recordRead({
    id: (deps.newId ?? randomUUID)(),
    municipality: referral.municipality,
    objectType: 'referral',
    objectId: referral.id,
    objectVersion: referral.version,
    signalId: referral.signalId,
    ...(referral.pupilPseudonym ? { pupilPseudonym: referral.pupilPseudonym } : {}),
    change: {
      eventType: 'referral.read',
      at: utcTimestamp(deps.now()),
      actor: actorOf(input.client, input.user),
      onBehalfOf: { teamId: referral.teamId },
      details: { status: referral.status },
    },
  });
  const submission = await deps.vault.open(signal.id, sealed);
  logEvent(LOG_EVENTS.referralRead, { referralId: referral.id, teamId: referral.teamId });
  return toReferralView(referral, signal, submission);
}

/** The answer for a referral whose signal's pupil data retention removed (the v1 view needs it). */
export function pupilDataGone(purgedAt: string | undefined): GoneError {
  return new GoneError(
    'Pupil data removed after the retention period',
    `The pupil data of this referral was removed${purgedAt ? ` on ${purgedAt}` : ''}, after its retention period; the referral's status and history stay available from GET /v1/referrals and its events.`,
  );
}

/** The answer for a referral the school withdrew: its pupil data is no longer the team's to read. */
export function pupilDataWithdrawn(withdrawnAt: string): GoneError {
  return new GoneError(
    'Referral withdrawn: pupil data no longer available',
    `The school withdrew this referral on ${withdrawnAt}; since then its pupil data is not handed out. Its status and history stay available from GET /v1/referrals.`,
    'withdrawn',
  );
}

export interface ReferralEventInput {
  type: TeamEventType;
  /** Required for `rejected` (the operation's schema says so); shown to the school, never logged. */
  reason?: string | undefined;
  /** Only with `rejected`: a team of the same municipality to try first. */
  suggestedTeamId?: string | undefined;
}

/** A report that lost a race to another change is judged again on what is stored then. */
const EVENT_ATTEMPTS = 3;

export async function recordReferralEvent(
  deps: TrackReferralDeps,
  input: Caller & { id: string; event: ReferralEventInput },
  attempt = 1,
): Promise<ReturnType<typeof toReferralState>> {
  const referral = await loadOwnReferral(deps, input.client, input.id);
  const { type, reason, suggestedTeamId } = input.event;

  // Reporting the state the referral is already in is a harmless repeat (a consumer retrying
  // after a lost response), not a conflict. A repeated rejection also repeats the notice to the
  // next team, in case the first attempt failed after its commit.
  if (referral.status === type) {
    if (type === 'rejected') await notifyNextTeam(deps, referral.signalId);
    return toReferralState(referral);
  }
  if (type === 'rejected' && suggestedTeamId !== undefined) {
    requireSuggestion(deps.config, referral, suggestedTeamId);
  }

  const step = stepReferral(
    referral,
    type,
    {
      at: utcTimestamp(deps.now()),
      actor: actorOf(input.client, input.user),
      onBehalfOf: { teamId: referral.teamId },
    },
    reason,
    suggestedTeamId,
  );
  if (!step.ok) {
    logEvent(LOG_EVENTS.referralTransitionRefused, {
      referralId: referral.id,
      from: referral.status,
      requested: type,
    });
    const why =
      step.refused.reason === 'terminal'
        ? `the referral has ended (${referral.status})`
        : step.refused.reason === 'reason-required'
          ? 'a rejection needs a reason'
          : `${type} is not possible from ${referral.status}`;
    throw new ConflictError(`Cannot record ${type}: ${why}.`);
  }

  const next = type === 'rejected' ? await reroute(deps, step.referral, suggestedTeamId) : undefined;
  if ((await deps.referrals.commit([referralWrite(step.referral), ...(next?.writes ?? [])])) === 'conflict') {
    // The same report sent twice in parallel: the one that lost finds the state it asked for.
    // Another change (a team's other step, a withdrawal, a re-route): judged again on what is
    // stored now, as if the two had come one after the other.
    const now = await loadOwnReferral(deps, input.client, input.id);
    if (now.status === type) return toReferralState(now);
    if (attempt < EVENT_ATTEMPTS) return recordReferralEvent(deps, input, attempt + 1);
    throw new ConflictError('The referral changed meanwhile; read it again and retry.');
  }
  logEvent(LOG_EVENTS.referralUpdated, { referralId: referral.id, from: step.from, to: type });
  if (next?.queued) {
    logEvent(LOG_EVENTS.signalRerouted, {
      signalId: referral.signalId,
      referralId: next.queued.id,
      teamId: next.queued.teamId,
      routedBy: next.queued.routedBy ?? 'rule',
    });
    await publishQueued(deps, [next.queued]);
  } else if (next?.parked) {
    logEvent(LOG_EVENTS.signalUnroutable, {
      signalId: referral.signalId,
      municipality: referral.municipality,
      reason: 'all-teams-rejected',
      marked: true,
    });
  }
  return toReferralState(step.referral);
}

/** A suggested team must be another team that serves the pupil's municipality. */
function requireSuggestion(config: DeploymentConfig, referral: StoredReferral, teamId: string): void {
  const reason =
    teamId === referral.teamId
      ? 'must be another team than the one rejecting'
      : !config.teams.some((t) => t.id === teamId)
        ? 'is not a team of this hub'
        : !servesMunicipality(config, teamId, referral.municipality)
          ? `is not a team of municipality ${referral.municipality}`
          : undefined;
  if (reason) throw new ValidationError([{ name: 'suggestedTeamId', reason }]);
}

/**
 * After a rejection the signal goes on: to the suggested team, else to the most specific rule
 * whose team has not rejected it; with none left it waits for the municipality
 * (`all-teams-rejected`). Decided in the same transaction as the rejection, so the signal never
 * rests with every referral rejected.
 */
async function reroute(
  deps: TrackReferralDeps,
  rejected: StoredReferral,
  suggestedTeamId: string | undefined,
): Promise<{ writes: StateWrite[]; queued?: StoredReferral; parked?: StoredSignal }> {
  const signal = await deps.referrals.getSignal(rejected.signalId);
  if (signal?.status !== 'routed') return { writes: [] };
  const referrals = (await deps.referrals.getReferrals(signal.referralIds)).map((r) =>
    r.id === rejected.id ? rejected : r,
  );
  // Another referral still open, or help already given: nothing to route.
  if (referrals.some((r) => r.status !== 'rejected')) return { writes: [] };

  const at = rejected.updatedAt;
  const choice = chooseTeam(
    deps.config,
    signal,
    referrals,
    suggestedTeamId ? { teamId: suggestedTeamId, routedBy: 'suggestion' } : undefined,
  );
  if (choice.outcome === 'unroutable') {
    const parked = nextSignal(
      signal,
      { status: 'unroutable', unroutableReason: 'all-teams-rejected' },
      {
        eventType: 'signal.unroutable',
        at,
        actor: SYSTEM_ACTOR,
        details: { reason: 'all-teams-rejected', rejectedReferrals: referrals.length },
      },
    );
    return { writes: [signalWrite(parked)], parked };
  }
  const onBehalfOf = { schoolLocation: signal.schoolLocation, teamId: choice.teamId };
  const queued = newReferral(deps.config, signal, choice, {
    at,
    actor: SYSTEM_ACTOR,
    onBehalfOf,
    details: { afterRejectionOf: rejected.id },
  });
  const routed = nextSignal(
    signal,
    { status: 'routed', referralIds: [...signal.referralIds, queued.id] },
    {
      eventType: 'signal.routed',
      at,
      actor: SYSTEM_ACTOR,
      onBehalfOf,
      details: {
        teamId: queued.teamId,
        ruleId: queued.ruleId,
        referralId: queued.id,
        routedBy: choice.routedBy,
        afterRejectionOf: rejected.id,
      },
    },
  );
  return { writes: [referralWrite(queued), signalWrite(routed)], queued };
}

async function notifyNextTeam(deps: TrackReferralDeps, signalId: string): Promise<void> {
  const signal = await deps.referrals.getSignal(signalId);
  if (signal?.status !== 'routed') return;
  const queued = (await deps.referrals.getReferrals(signal.referralIds)).filter((r) => r.status === 'queued');
  await publishQueued(deps, queued);
}

/** The queued notice to the next team; teams deduplicate on the CloudEvent id. */
async function publishQueued(deps: TrackReferralDeps, referrals: readonly StoredReferral[]): Promise<void> {
  try {
    await notifyTeams(
      deps.teams,
      deps.deployment,
      referrals,
      'nl.schakel.referral.queued.v1',
      (r) => r.createdAt,
    );
  } catch (error) {
    throw new ServiceUnavailableError(
      `The rejection is recorded and the signal routed to the next team, but that team could not be notified (${(error as Error).name}). Report the rejection again to retry the notice.`,
    );
  }
}
