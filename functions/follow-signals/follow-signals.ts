import { utcTimestamp } from '../../domain/dates.js';
import {
  dueAt as dueInstant,
  dutchDayStart,
  type GroupBy,
  goalDays,
  leadTimeGroups,
} from '../../domain/lead-times.js';
import { teamsServing } from '../../domain/routing.js';
import type { SignalStatus } from '../../domain/vocabulary.js';
import type { Client } from '../../schemas/client.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import type { InvalidParam } from '../../schemas/problem.js';
import type { LeadTimesView, SignalListItem } from '../../schemas/views.js';
import { actorOf } from '../shared/actor.js';
import { ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../shared/errors.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral, StoredSignal } from '../shared/model.js';
import type { TeamQueue } from '../shared/ports/queues.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import type { ReferralWork, SignalScope, SignalSearch } from '../shared/ports/work-lists.js';
import { notifyTeams } from '../shared/referral-events.js';
import { toListItem as toReferralListItem } from '../shared/referral-list-item.js';
import { newReferral, servesMunicipality } from '../shared/routing-plan.js';
import {
  leadTimeQueryProblems,
  ownMunicipality,
  ownSchoolLocation,
  signalSearchQueryProblems,
} from '../shared/scopes.js';
import { nextSignal, referralWrite, signalWrite } from '../shared/state-changes.js';

export interface FollowSignalsDeps {
  signals: SignalStore & SignalSearch & Pick<ReferralWork, 'referralsMade'>;
  teams: TeamQueue;
  config: DeploymentConfig;
  deployment: string;
  now: () => Date;
}

type Caller = { client: Client; user: string | undefined };

export interface SignalSearchQuery {
  limit: number;
  cursor?: string | undefined;
  status?: SignalStatus | undefined;
  sourceId?: string | undefined;
  schoolLocation?: string | undefined;
  municipality?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const utc = (instant: string | undefined) => (instant ? new Date(instant).toISOString() : undefined);

/** A signal in a search; the school also sees its own `sourceId`. No pupil data for anyone. */
function toListItem(signal: StoredSignal, client: Client): SignalListItem {
  return {
    id: signal.id,
    ...(client.role === 'school' ? { sourceId: signal.sourceId } : {}),
    requestType: signal.requestType,
    schoolLocation: signal.schoolLocation,
    municipality: signal.municipality,
    status: signal.status,
    ...(signal.unroutableReason ? { unroutableReason: signal.unroutableReason } : {}),
    urgency: signal.urgency,
    concerns: signal.concerns,
    referralCount: signal.referralIds.length,
    receivedAt: signal.receivedAt,
    updatedAt: signal.updatedAt,
  };
}

const page = (items: SignalListItem[], next: string | undefined) => ({ items, ...(next ? { next } : {}) });

/**
 * A school searches its own location's signals (and finds one by its own `sourceId`); a
 * municipality the signals of pupils living in its codes — `status=unroutable` is its work list.
 */
export async function listSignals(deps: FollowSignalsDeps, input: Caller & { query: SignalSearchQuery }) {
  const { client, query } = input;
  const problems = signalSearchQueryProblems(client, query);
  if (problems.length) throw new ValidationError(problems);
  const range = { from: utc(query.from), to: utc(query.to) };

  // By its own sourceId a school finds its signal at any of its locations.
  if (client.role === 'school' && query.sourceId !== undefined) {
    const within =
      query.schoolLocation === undefined
        ? (client.scope.schoolLocations ?? [])
        : [ownSchoolLocation(client, query.schoolLocation, problems) as string];
    const found = await findBySourceId(deps, client, query.sourceId);
    const matches =
      found &&
      within.includes(found.schoolLocation) &&
      (!query.status || found.status === query.status) &&
      (!range.from || found.receivedAt >= range.from) &&
      (!range.to || found.receivedAt < range.to);
    return page(matches ? [toListItem(found, client)] : [], undefined);
  }
  const scope = scopeOf(client, query, problems);
  const result = await deps.signals.searchSignals({
    scope,
    ...range,
    status: query.status,
    // Within a municipality's search only: a school's scope is its location already.
    ...(scope.kind === 'municipality' ? { schoolLocation: query.schoolLocation } : {}),
    limit: query.limit,
    cursor: query.cursor,
  });
  return page(
    result.items.map((s) => toListItem(s, client)),
    result.next,
  );
}

/** Whose signals a search reads: the school's location, or the municipality's pupils. */
function scopeOf(client: Client, query: SignalSearchQuery, problems: InvalidParam[]): SignalScope {
  if (client.role === 'school') {
    const schoolLocation = ownSchoolLocation(client, query.schoolLocation, problems);
    if (!schoolLocation) throw new ValidationError(problems);
    return { kind: 'school', schoolLocation };
  }
  const municipality = ownMunicipality(client, query.municipality, problems);
  if (!municipality) throw new ValidationError(problems);
  return { kind: 'municipality', municipality };
}

async function findBySourceId(
  deps: FollowSignalsDeps,
  client: Client,
  sourceId: string,
): Promise<StoredSignal | undefined> {
  const source = await deps.signals.findSource(client.clientId, sourceId);
  return source ? deps.signals.getSignal(source.signalId) : undefined;
}

/** A municipality's signal, or a 404 exactly like an unknown id. */
async function loadMunicipalitySignal(
  deps: FollowSignalsDeps,
  client: Client,
  id: string,
): Promise<StoredSignal> {
  const signal = await deps.signals.getSignal(id);
  const mine =
    signal &&
    (client.role === 'admin' ||
      (client.role === 'municipality' && client.scope.municipalities?.includes(signal.municipality)));
  if (!signal || !mine) throw new NotFoundError();
  return signal;
}

export interface AssignmentInput {
  teamId: string;
  /** Free text for the team (and the school): kept on the referral, never logged or audited. */
  reason: string;
}

/**
 * The municipality gives a signal no rule or team took to a team of its own choosing: an
 * unroutable signal, or one whose referrals all ended rejected. A repeat of an assignment that
 * succeeded answers the same again (and repeats the team's notice).
 */
export async function assignSignal(
  deps: FollowSignalsDeps,
  input: Caller & { id: string; assignment: AssignmentInput },
) {
  const { client, assignment } = input;
  const signal = await loadMunicipalitySignal(deps, client, input.id);
  const teamProblem = !deps.config.teams.some((t) => t.id === assignment.teamId)
    ? 'is not a team of this hub'
    : !servesMunicipality(deps.config, assignment.teamId, signal.municipality)
      ? `is not a team of municipality ${signal.municipality}`
      : undefined;
  if (teamProblem) throw new ValidationError([{ name: 'teamId', reason: teamProblem }]);

  const referrals = await deps.signals.getReferrals(signal.referralIds);
  const repeat = await repeatedAssignment(deps, client, signal, referrals, assignment.teamId);
  if (repeat) return repeat;
  const allRejected = referrals.length > 0 && referrals.every((r) => r.status === 'rejected');
  if (signal.status !== 'unroutable' && !(signal.status === 'routed' && allRejected)) {
    throw new ConflictError(
      `Only a signal that is unroutable, or whose referrals all ended rejected, can be assigned; this one is ${signal.status}${signal.status === 'routed' ? ' with a referral that has not been rejected' : ''}.`,
    );
  }

  const at = utcTimestamp(deps.now());
  const actor = actorOf(client, input.user);
  const onBehalfOf = { schoolLocation: signal.schoolLocation, teamId: assignment.teamId };
  const referral = newReferral(
    deps.config,
    signal,
    { outcome: 'routed', teamId: assignment.teamId, ruleId: 'assignment', routedBy: 'assignment' },
    { at, actor, onBehalfOf },
    assignment.reason,
  );
  const assigned = nextSignal(
    signal,
    { status: 'routed', referralIds: [...signal.referralIds, referral.id] },
    {
      eventType: 'signal.assigned',
      at,
      actor,
      onBehalfOf,
      details: {
        teamId: referral.teamId,
        referralId: referral.id,
        fromStatus: signal.status,
        unroutableReason: signal.unroutableReason ?? (allRejected ? 'all-teams-rejected' : null),
      },
    },
  );
  if ((await deps.signals.commit([referralWrite(referral), signalWrite(assigned)])) === 'conflict') {
    // The same assignment sent twice at once (a client retrying on a timeout): the one that lost
    // finds the referral the other made, and answers as a repeat.
    const now = await loadMunicipalitySignal(deps, client, input.id);
    const referralsNow = await deps.signals.getReferrals(now.referralIds);
    const raced = await repeatedAssignment(deps, client, now, referralsNow, assignment.teamId);
    if (raced) return raced;
    throw new ConflictError(
      'The signal changed meanwhile (a re-route or another assignment); read it again.',
    );
  }
  logEvent(LOG_EVENTS.signalAssigned, {
    signalId: signal.id,
    referralId: referral.id,
    teamId: referral.teamId,
  });
  await notify(deps, referral);
  return answer(assigned, referral, client);
}

/** An assignment to this team that is still queued: a repeat answers it again, and tells the team again. */
async function repeatedAssignment(
  deps: FollowSignalsDeps,
  client: Client,
  signal: StoredSignal,
  referrals: readonly StoredReferral[],
  teamId: string,
) {
  const last = referrals.at(-1);
  if (signal.status !== 'routed' || last?.routedBy !== 'assignment' || last.teamId !== teamId)
    return undefined;
  if (last.status !== 'queued') return undefined;
  await notify(deps, last);
  return answer(signal, last, client);
}

function answer(signal: StoredSignal, referral: StoredReferral, client: Client) {
  return { signal: toListItem(signal, client), referral: toReferralListItem(referral) };
}

async function notify(deps: FollowSignalsDeps, referral: StoredReferral): Promise<void> {
  try {
    await notifyTeams(
      deps.teams,
      deps.deployment,
      [referral],
      'nl.schakel.referral.queued.v1',
      (r) => r.createdAt,
    );
  } catch (error) {
    throw new ServiceUnavailableError(
      `The signal is assigned, but the team could not be notified yet (${(error as Error).name}). Send the same assignment again to retry the notice.`,
    );
  }
}

export interface LeadTimeQuery {
  municipality?: string | undefined;
  from: string;
  to: string;
  groupBy: GroupBy;
}

/** The day after a calendar date (YYYY-MM-DD), for an inclusive `to`. */
function nextDay(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/**
 * Lead times of the referrals made for the municipality's pupils in [from, to] (Dutch calendar
 * days), read from each team's partition of referrals by creation time: no pupil data is read.
 */
export async function getLeadTimes(
  deps: FollowSignalsDeps,
  input: Caller & { query: LeadTimeQuery },
): Promise<LeadTimesView> {
  const { client, query } = input;
  const problems = leadTimeQueryProblems(client, query);
  const municipality = problems.length ? undefined : ownMunicipality(client, query.municipality, problems);
  if (!municipality) throw new ValidationError(problems);
  const from = dutchDayStart(query.from).toISOString();
  const to = dutchDayStart(nextDay(query.to)).toISOString();
  const teams = [...teamsServing(municipality, deps.config.routingRules, deps.config.teams)].sort();
  const made = (
    await Promise.all(teams.map((teamId) => deps.signals.referralsMade(teamId, municipality, from, to)))
  ).flat();
  const regular = goalDays(deps.config.leadTimes, municipality, 'regular');
  const facts = made.map((r) => {
    const clockStartAt = r.clockStartAt ?? r.createdAt;
    return {
      teamId: r.teamId,
      schoolLocation: r.schoolLocation,
      concerns: r.concerns,
      clockStartAt,
      // Referrals made before goals were kept on them: the goal as configured now.
      dueAt: r.dueAt ?? dueInstant(clockStartAt, goalDays(deps.config.leadTimes, municipality, r.urgency)),
      status: r.status,
      history: r.history,
      followsConsultation: r.followsConsultation !== undefined,
    };
  });
  return {
    municipality,
    goalDays: regular,
    urgentGoalDays: goalDays(deps.config.leadTimes, municipality, 'urgent'),
    from: query.from,
    to: query.to,
    groupBy: query.groupBy,
    groups: leadTimeGroups(facts, query.groupBy, deps.now()),
  };
}
