import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import { SYSTEM_ACTOR } from '../shared/actor.js';
import { utcTimestamp } from '../../domain/dates.js';
import { derivedUuid } from '../../domain/ids.js';
import { route } from '../../domain/routing.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral, StoredSignal } from '../shared/model.js';
import type { TeamQueue } from '../shared/ports/queues.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import { referralCloudEvent } from '../shared/referral-events.js';

export interface RouteSignalDeps {
  signals: SignalStore;
  teams: TeamQueue;
  config: DeploymentConfig;
  now: () => Date;
}

export type RouteSignalOutcome = 'routed' | 'unroutable' | 'already-routed' | 'withdrawn';

export class SignalMissingError extends Error {
  override name = 'SignalMissingError';
}

/**
 * Routes one signal from the intake queue. Safe to run any number of times for the same signal
 * (SQS delivers at least once): the referral id is derived from signal and team, the state
 * change is conditional, and queued referrals are (re)published on every run — teams
 * deduplicate on the CloudEvent id.
 */
export async function routeSignal(deps: RouteSignalDeps, signalId: string): Promise<RouteSignalOutcome> {
  let signal = await deps.signals.getSignal(signalId);
  if (!signal) throw new SignalMissingError(`signal ${signalId} not found`);

  if (signal.status === 'received') {
    const decided = await decide(deps, signal);
    if (decided === 'unroutable') return 'unroutable';
    signal = (await deps.signals.getSignal(signalId)) ?? signal;
  }

  if (signal.status === 'withdrawn') {
    logEvent(LOG_EVENTS.signalSkipped, { signalId, status: signal.status });
    return 'withdrawn';
  }
  if (signal.status === 'unroutable') return 'unroutable';

  const referrals = await deps.signals.getReferrals(signal.referralIds);
  for (const referral of referrals.filter((r) => r.status === 'queued')) {
    const event = referralCloudEvent(
      deps.config.deployment,
      referral,
      'nl.schakel.referral.queued.v1',
      referral.createdAt,
    );
    await deps.teams.publish(referral.teamId, event);
    logEvent(LOG_EVENTS.teamNotified, { referralId: referral.id, teamId: referral.teamId, type: event.type });
  }
  return 'routed';
}

async function decide(
  deps: RouteSignalDeps,
  signal: StoredSignal,
): Promise<'routed' | 'unroutable' | 'changed'> {
  const decision = route(deps.config.routingRules, {
    municipality: signal.municipality,
    schoolLocation: signal.schoolLocation,
    concerns: signal.concerns,
    age: signal.age,
    requestType: signal.requestType,
  });
  const at = utcTimestamp(deps.now());

  if (decision.outcome === 'unroutable') {
    // Parked, never dropped: the status and the audit event make it visible to the municipality.
    const marked = await deps.signals.markUnroutable(signal, {
      eventType: 'signal.unroutable',
      at,
      actor: SYSTEM_ACTOR,
      details: { reason: decision.reason },
    });
    logEvent(LOG_EVENTS.signalUnroutable, { signalId: signal.id, municipality: signal.municipality, marked });
    return marked ? 'unroutable' : 'changed';
  }

  const team = deps.config.teams.find((t) => t.id === decision.teamId);
  const referral: StoredReferral = {
    id: derivedUuid('referral', signal.id, decision.teamId),
    signalId: signal.id,
    teamId: decision.teamId,
    municipality: signal.municipality,
    ruleId: decision.ruleId,
    status: 'queued',
    requestType: signal.requestType,
    urgency: signal.urgency,
    concerns: signal.concerns,
    ...(signal.pupilPseudonym ? { pupilPseudonym: signal.pupilPseudonym } : {}),
    history: [{ status: 'queued', at }],
    createdAt: at,
    updatedAt: at,
    version: 1,
    lastChange: {
      eventType: 'referral.queued',
      at,
      actor: SYSTEM_ACTOR,
      onBehalfOf: { schoolLocation: signal.schoolLocation, teamId: decision.teamId },
      details: { teamId: decision.teamId, ruleId: decision.ruleId, organisation: team?.organisation ?? null },
    },
  };
  const outcome = await deps.signals.routeSignal(signal, referral);
  if (outcome.outcome === 'routed') {
    logEvent(LOG_EVENTS.signalRouted, {
      signalId: signal.id,
      referralId: referral.id,
      teamId: referral.teamId,
    });
    logEvent(LOG_EVENTS.referralQueued, { referralId: referral.id, teamId: referral.teamId });
    return 'routed';
  }
  return 'changed';
}
