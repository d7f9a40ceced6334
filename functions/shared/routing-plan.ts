import { derivedUuid } from '../../domain/ids.js';
import { clockStart, dueAt, goalDays } from '../../domain/lead-times.js';
import { isTerminal } from '../../domain/referral-state.js';
import { route, teamsServing, type UnroutableReason } from '../../domain/routing.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import type { ChangeRecord, RoutedBy, StoredReferral, StoredSignal } from './model.js';

// Where a signal goes next, shared by the first routing (route-signal), the re-route after a
// rejection (track-referral) and the municipality's assignment (follow-signals). Never two open
// referrals of one signal to one team, and never back to a team that rejected it, unless the
// municipality itself decides so.

export type TeamChoice =
  | { outcome: 'routed'; teamId: string; ruleId: string; routedBy: RoutedBy }
  | { outcome: 'unroutable'; reason: UnroutableReason };

/** Teams that rejected the signal or hold an open referral of it: a rule passes them over. */
export function excludedTeams(referrals: readonly StoredReferral[]): Set<string> {
  return new Set(
    referrals.filter((r) => r.status === 'rejected' || !isTerminal(r.status)).map((r) => r.teamId),
  );
}

export function servesMunicipality(config: DeploymentConfig, teamId: string, municipality: string): boolean {
  return teamsServing(municipality, config.routingRules, config.teams).has(teamId);
}

/**
 * The team for a signal: a preferred team first (the suggestion of the team that rejected it, or
 * the team that answered the consultation it follows) when it serves the pupil's municipality and
 * is not excluded; else the most specific rule whose team is not excluded.
 */
export function chooseTeam(
  config: DeploymentConfig,
  signal: StoredSignal,
  referrals: readonly StoredReferral[],
  preferred?: { teamId: string; routedBy: 'suggestion' | 'consultation' },
): TeamChoice {
  const excluded = excludedTeams(referrals);
  if (
    preferred &&
    !excluded.has(preferred.teamId) &&
    servesMunicipality(config, preferred.teamId, signal.municipality)
  ) {
    return {
      outcome: 'routed',
      teamId: preferred.teamId,
      ruleId: preferred.routedBy,
      routedBy: preferred.routedBy,
    };
  }
  const decision = route(
    config.routingRules,
    {
      municipality: signal.municipality,
      schoolLocation: signal.schoolLocation,
      concerns: signal.concerns,
      age: signal.age,
      requestType: signal.requestType,
    },
    excluded,
  );
  if (decision.outcome === 'unroutable') return decision;
  return { outcome: 'routed', teamId: decision.teamId, ruleId: decision.ruleId, routedBy: 'rule' };
}

/**
 * The id of a signal's next referral. The first keeps the id it always had (signal and team);
 * a later one also carries its place among the signal's referrals, so a team that gets the
 * signal a second time (by assignment) gets a new referral, and a retried run the same one.
 */
export function nextReferralId(signal: StoredSignal, teamId: string): string {
  const place = signal.referralIds.length;
  return place === 0
    ? derivedUuid('referral', signal.id, teamId)
    : derivedUuid('referral', signal.id, teamId, String(place));
}

/** A new queued referral of `signal` to the chosen team, with its clock and goal. */
export function newReferral(
  config: DeploymentConfig,
  signal: StoredSignal,
  choice: Extract<TeamChoice, { outcome: 'routed' }>,
  change: Omit<ChangeRecord, 'eventType' | 'details'> & { details?: ChangeRecord['details'] },
  reason?: string,
): StoredReferral {
  const team = config.teams.find((t) => t.id === choice.teamId);
  const startedClock = signal.clockStartAt ?? clockStart(signal);
  // A consultation asks for advice, not help: the two-week goal is not about it.
  const goal =
    signal.requestType === 'referral'
      ? {
          clockStartAt: startedClock,
          dueAt: dueAt(startedClock, goalDays(config.leadTimes, signal.municipality, signal.urgency)),
        }
      : {};
  return {
    id: nextReferralId(signal, choice.teamId),
    signalId: signal.id,
    teamId: choice.teamId,
    municipality: signal.municipality,
    ruleId: choice.ruleId,
    routedBy: choice.routedBy,
    status: 'queued',
    requestType: signal.requestType,
    urgency: signal.urgency,
    concerns: signal.concerns,
    schoolLocation: signal.schoolLocation,
    ...goal,
    ...(signal.followsConsultation ? { followsConsultation: signal.followsConsultation } : {}),
    ...(signal.pupilPseudonym ? { pupilPseudonym: signal.pupilPseudonym } : {}),
    history: [{ status: 'queued', at: change.at, ...(reason ? { reason } : {}) }],
    createdAt: change.at,
    updatedAt: change.at,
    version: 1,
    lastChange: {
      ...change,
      eventType: 'referral.queued',
      details: {
        ...change.details,
        teamId: choice.teamId,
        ruleId: choice.ruleId,
        routedBy: choice.routedBy,
        organisation: team?.organisation ?? null,
      },
    },
  };
}
