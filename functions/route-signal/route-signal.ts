import { utcTimestamp } from '../../domain/dates.js';
import { sameSchool } from '../../domain/identifiers.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import { SYSTEM_ACTOR } from '../shared/actor.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral, StoredSignal } from '../shared/model.js';
import type { TeamQueue } from '../shared/ports/queues.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import { notifyTeams } from '../shared/referral-events.js';
import { chooseTeam, newReferral } from '../shared/routing-plan.js';
import { nextSignal, referralWrite, signalWrite } from '../shared/state-changes.js';

export interface RouteSignalDeps {
  signals: SignalStore;
  teams: TeamQueue;
  config: DeploymentConfig;
  now: () => Date;
}

export type RouteSignalOutcome = 'routed' | 'unroutable' | 'withdrawn';

export class SignalMissingError extends Error {
  override name = 'SignalMissingError';
}

/**
 * Routes one signal from the intake queue. Safe to run any number of times for the same signal
 * (SQS delivers at least once): the referral id is derived from signal and team, the state
 * change is conditional on the version read, and queued referrals are (re)published on every
 * run — teams deduplicate on the CloudEvent id.
 *
 * It reads only what it does not know: the signal; after its own commit nothing (it publishes
 * what it wrote); after losing the race to another delivery, the signal and that run's referral
 * in one request; on a redelivery of a routed signal, its referrals (a team may have moved them on).
 */
export async function routeSignal(deps: RouteSignalDeps, signalId: string): Promise<RouteSignalOutcome> {
  let signal = await deps.signals.getSignal(signalId);
  if (!signal) throw new SignalMissingError(`signal ${signalId} not found`);

  let referrals: StoredReferral[] | undefined;
  if (signal.status === 'received') {
    const decided = await decide(deps, signal);
    if (decided.outcome === 'committed') {
      if (decided.signal.status === 'unroutable') return 'unroutable';
      signal = decided.signal;
      referrals = decided.referrals;
    } else {
      // Another delivery of the same message routed it meanwhile: carry on from what it stored,
      // read in one request with the referral it most likely made (the one this run would have).
      const stored = await deps.signals.getSignalWithReferrals(signalId, decided.referralIds);
      if (stored) ({ signal, referrals } = stored);
    }
  }

  if (signal.status === 'withdrawn') {
    logEvent(LOG_EVENTS.signalSkipped, { signalId, status: signal.status });
    return 'withdrawn';
  }
  if (signal.status === 'unroutable') return 'unroutable';
  if (signal.status === 'received') throw new Error(`signal ${signalId} is still received after routing`);

  referrals ??= await deps.signals.getReferrals(signal.referralIds);
  await notifyTeams(
    deps.teams,
    deps.config.deployment,
    referrals.filter((r) => r.status === 'queued'),
    'nl.schakel.referral.queued.v1',
    (r) => r.createdAt,
  );
  return 'routed';
}

type Decision =
  | { outcome: 'committed'; signal: StoredSignal; referrals: StoredReferral[] }
  /** The ids of the referrals this run would have created (none when it would have parked it). */
  | { outcome: 'conflict'; referralIds: string[] };

/**
 * The team that answered the consultation a referral follows: the latest of its referrals that a
 * team took on (accepted, started or closed). A consultation of another school is never followed
 * (receive-signal refuses it; checked again here because the link is only an id).
 */
async function consultationTeam(
  deps: RouteSignalDeps,
  signal: StoredSignal,
): Promise<{ teamId: string; routedBy: 'consultation' } | undefined> {
  if (!signal.followsConsultation) return undefined;
  const consultation = await deps.signals.getSignal(signal.followsConsultation);
  if (
    consultation?.requestType !== 'consultation' ||
    !sameSchool(consultation.schoolLocation, signal.schoolLocation)
  ) {
    return undefined;
  }
  const answered = (await deps.signals.getReferrals(consultation.referralIds)).filter((r) =>
    ['accepted', 'started', 'closed'].includes(r.status),
  );
  const last = answered.at(-1);
  return last ? { teamId: last.teamId, routedBy: 'consultation' } : undefined;
}

async function decide(deps: RouteSignalDeps, signal: StoredSignal): Promise<Decision> {
  const choice = chooseTeam(deps.config, signal, [], await consultationTeam(deps, signal));
  const at = utcTimestamp(deps.now());

  if (choice.outcome === 'unroutable') {
    // Parked, never dropped: the municipality lists it (GET /v1/signals?status=unroutable) and
    // assigns it; the log event feeds the unroutable metric its alarm watches.
    const parked = nextSignal(
      signal,
      { status: 'unroutable', unroutableReason: choice.reason },
      { eventType: 'signal.unroutable', at, actor: SYSTEM_ACTOR, details: { reason: choice.reason } },
    );
    const outcome = await deps.signals.commit([signalWrite(parked)]);
    logEvent(LOG_EVENTS.signalUnroutable, {
      signalId: signal.id,
      municipality: signal.municipality,
      reason: choice.reason,
      marked: outcome === 'committed',
    });
    return outcome === 'committed'
      ? { outcome, signal: parked, referrals: [] }
      : { outcome, referralIds: [] };
  }

  const onBehalfOf = { schoolLocation: signal.schoolLocation, teamId: choice.teamId };
  const referral = newReferral(deps.config, signal, choice, { at, actor: SYSTEM_ACTOR, onBehalfOf });
  const routed = nextSignal(
    signal,
    { status: 'routed', referralIds: [...signal.referralIds, referral.id] },
    {
      eventType: 'signal.routed',
      at,
      actor: SYSTEM_ACTOR,
      onBehalfOf,
      details: {
        teamId: referral.teamId,
        ruleId: referral.ruleId,
        referralId: referral.id,
        routedBy: choice.routedBy,
      },
    },
  );
  const outcome = await deps.signals.commit([referralWrite(referral), signalWrite(routed)]);
  if (outcome === 'conflict') return { outcome, referralIds: [referral.id] };
  logEvent(LOG_EVENTS.signalRouted, {
    signalId: signal.id,
    referralId: referral.id,
    teamId: referral.teamId,
    routedBy: choice.routedBy,
  });
  logEvent(LOG_EVENTS.referralQueued, { referralId: referral.id, teamId: referral.teamId });
  return { outcome, signal: routed, referrals: [referral] };
}
