// Routing follows the woonplaatsbeginsel: the municipality where the pupil lives is responsible,
// so every rule belongs to one municipality. Optional criteria narrow a rule; the rule with the
// most criteria that all match wins, a rule without criteria is the municipality's default.

import type { Concern, RequestType } from './vocabulary.js';

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
  | { outcome: 'unroutable'; reason: 'no-matching-rule' };

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
 * so the outcome never depends on anything but the configuration order.
 */
export function route(rules: readonly RoutingRule[], facts: RoutingFacts): RoutingDecision {
  let best: { rule: RoutingRule; specificity: number } | undefined;
  for (const rule of rules) {
    if (rule.municipality !== facts.municipality) continue;
    const criteria = criteriaOf(rule);
    if (!criteria.every((matches) => matches(facts))) continue;
    if (!best || criteria.length > best.specificity) best = { rule, specificity: criteria.length };
  }
  if (!best) return { outcome: 'unroutable', reason: 'no-matching-rule' };
  return { outcome: 'routed', teamId: best.rule.teamId, ruleId: best.rule.id, specificity: best.specificity };
}
