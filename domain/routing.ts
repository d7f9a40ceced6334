// Routing follows the woonplaatsbeginsel: the municipality where the pupil lives is responsible,
// so every rule belongs to one municipality. Optional criteria narrow a rule; the rule with the
// most criteria that all match wins, a rule without criteria is the municipality's default.

import type { Concern, RequestType, UNROUTABLE_REASONS } from './vocabulary.js';

export interface RoutingRule {
  id: string;
  municipality: string;
  teamId: string;
  schoolLocations?: readonly string[];
  concerns?: readonly Concern[];
  ageRange?: { min?: number; max?: number };
  requestType?: RequestType;
}

export interface RoutingFacts {
  municipality: string;
  schoolLocation: string;
  concerns: readonly Concern[];
  age: number;
  requestType: RequestType;
}

export type RoutingDecision =
  | { outcome: 'routed'; teamId: string; ruleId: string; specificity: number }
  /**
   * `no-rule`: no rule of the municipality matches the signal; `all-teams-rejected`: rules match,
   * but every team they name has rejected this signal (or has it open already).
   */
  | { outcome: 'unroutable'; reason: UnroutableReason };

export type UnroutableReason = (typeof UNROUTABLE_REASONS)[number];

function criteriaOf(rule: RoutingRule): ((facts: RoutingFacts) => boolean)[] {
  const criteria: ((facts: RoutingFacts) => boolean)[] = [];
  if (rule.schoolLocations?.length) {
    const locations = rule.schoolLocations;
    criteria.push((f) => locations.includes(f.schoolLocation));
  }
  if (rule.concerns?.length) {
    const concerns = rule.concerns;
    criteria.push((f) => f.concerns.some((c) => concerns.includes(c)));
  }
  // An age range without bounds would match everyone yet count as a criterion: ignore it.
  if (rule.ageRange && (rule.ageRange.min !== undefined || rule.ageRange.max !== undefined)) {
    const { min = 0, max = Number.POSITIVE_INFINITY } = rule.ageRange;
    criteria.push((f) => f.age >= min && f.age <= max);
  }
  if (rule.requestType) {
    const requestType = rule.requestType;
    criteria.push((f) => f.requestType === requestType);
  }
  return criteria;
}

/**
 * Picks the team for a signal. Ties between equally specific rules go to the rule listed first,
 * so the outcome never depends on anything but the configuration order. A rule whose team is in
 * `excludedTeams` (it rejected the signal, or has it open already) is passed over, so a re-route
 * takes the most specific rule that is left.
 */
export function route(
  rules: readonly RoutingRule[],
  facts: RoutingFacts,
  excludedTeams: ReadonlySet<string> = new Set(),
): RoutingDecision {
  let best: { rule: RoutingRule; specificity: number } | undefined;
  let matched = false;
  for (const rule of rules) {
    if (rule.municipality !== facts.municipality) continue;
    const criteria = criteriaOf(rule);
    if (!criteria.every((matches) => matches(facts))) continue;
    matched = true;
    if (excludedTeams.has(rule.teamId)) continue;
    if (!best || criteria.length > best.specificity) best = { rule, specificity: criteria.length };
  }
  if (!best) return { outcome: 'unroutable', reason: matched ? 'all-teams-rejected' : 'no-rule' };
  return { outcome: 'routed', teamId: best.rule.teamId, ruleId: best.rule.id, specificity: best.specificity };
}

/**
 * The teams that serve a municipality: those its rules name, and those the configuration says
 * serve it without a rule (a team the municipality assigns signals to by hand).
 */
export function teamsServing(
  municipality: string,
  rules: readonly RoutingRule[],
  teams: readonly { id: string; municipalities?: readonly string[] | undefined }[],
): Set<string> {
  const serving = new Set(rules.filter((r) => r.municipality === municipality).map((r) => r.teamId));
  for (const team of teams) if (team.municipalities?.includes(municipality)) serving.add(team.id);
  return serving;
}
