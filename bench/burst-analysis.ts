import { type AuditedLink, verifyChain } from '../domain/audit-chain.js';
import type { AuditEventType } from '../schemas/audit-event.js';

// What a burst left behind, judged: every accepted signal routed, on its team's queue and audited
// exactly once (lost / duplicated), the chains verified, and the times the report is made of. Pure:
// test/unit/bench/ feeds it made-up outcomes.

/** What routing one new signal writes to the audit: one event each. */
export const EVENTS_PER_SIGNAL: readonly AuditEventType[] = [
  'signal.received',
  'signal.routed',
  'referral.queued',
];

export interface BurstFacts {
  /** Every 202: the signal id, the index of the submission, when the client had the answer (epoch ms). */
  accepted: readonly { index: number; id: string; acceptedAt: number }[];
  /** The sourceIds of the burst's submissions, by index. */
  sourceIdOf: (index: number) => string;
  /** Signals and referrals in the state table (any run; the analysis picks the burst's). */
  rows: readonly {
    entity: string;
    id: string;
    status: string;
    sourceId?: string;
    signalId?: string;
    createdAt?: string;
  }[];
  /** First arrival of each signal's CloudEvent on a team queue (SentTimestamp, epoch ms). */
  arrivals: ReadonlyMap<string, { sentAt: number }>;
  /** Each municipality's whole trail as read over the API, in any order. */
  trails: ReadonlyMap<string, readonly TrailEvent[]>;
}

export interface TrailEvent extends AuditedLink {
  id: string;
  eventType: string;
  recordedAt: string;
  object: { type: string; id: string; signalId?: string | undefined; version?: number | undefined };
}

export interface ChainCheck {
  municipality: string;
  events: number;
  /** `valid`, or the verifier's problem with the sequence where it starts. */
  verdict: string;
}

export interface BurstAnalysis {
  /** Accepted signals that are not routed, not on a team queue, or miss one of their audit events. */
  lost: { id: string; why: string[] }[];
  /** Signals stored twice for one sourceId. */
  duplicateSignals: number;
  /** Audit ids in a trail more than once. */
  duplicateAuditIds: number;
  /** A burst signal's expected event type recorded more than once. */
  duplicateEvents: number;
  chains: ChainCheck[];
  /** Per signal with both ends known: 202 → on the team queue, and 202 → routed (the referral's createdAt), ms. */
  queueLagMs: number[];
  routedLagMs: number[];
  lastAcceptedAt: number;
  /** The last of the burst's signals put on a team queue (epoch ms). */
  lastQueuedAt: number;
  /** The recordedAt of the last of the burst's expected audit events (epoch ms). */
  auditCompleteAt: number;
  auditEvents: number;
}

export function analyseBurst(facts: BurstFacts): BurstAnalysis {
  const ids = new Set(facts.accepted.map((a) => a.id));
  const sourceIds = new Set(facts.accepted.map((a) => facts.sourceIdOf(a.index)));

  const signals = new Map<string, string>();
  const referralCreated = new Map<string, number>();
  const signalsPerSource = new Map<string, number>();
  for (const row of facts.rows) {
    if (row.entity === 'signal' && row.sourceId !== undefined && sourceIds.has(row.sourceId)) {
      signals.set(row.id, row.status);
      signalsPerSource.set(row.sourceId, (signalsPerSource.get(row.sourceId) ?? 0) + 1);
    }
    if (row.entity === 'referral' && row.signalId && ids.has(row.signalId) && row.createdAt) {
      referralCreated.set(row.signalId, Date.parse(row.createdAt));
    }
  }

  const chains: ChainCheck[] = [];
  const eventsOf = new Map<string, Map<string, number>>();
  let duplicateAuditIds = 0;
  let auditCompleteAt = 0;
  let auditEvents = 0;
  for (const [municipality, trail] of facts.trails) {
    const ordered = [...trail].sort((a, b) => a.sequence - b.sequence);
    const verdict = verifyChain(ordered);
    chains.push({
      municipality,
      events: ordered.length,
      verdict: verdict.valid ? 'valid' : `${verdict.problem} at sequence ${verdict.sequence}`,
    });
    const seen = new Set<string>();
    for (const event of ordered) {
      if (seen.has(event.id)) duplicateAuditIds += 1;
      seen.add(event.id);
      const signalId = event.object.signalId ?? event.object.id;
      if (!ids.has(signalId) || !EVENTS_PER_SIGNAL.includes(event.eventType as AuditEventType)) continue;
      const types = eventsOf.get(signalId) ?? new Map<string, number>();
      types.set(event.eventType, (types.get(event.eventType) ?? 0) + 1);
      eventsOf.set(signalId, types);
      auditEvents += 1;
      auditCompleteAt = Math.max(auditCompleteAt, Date.parse(event.recordedAt));
    }
  }

  const lost: BurstAnalysis['lost'] = [];
  let duplicateEvents = 0;
  const queueLagMs: number[] = [];
  const routedLagMs: number[] = [];
  let lastAcceptedAt = 0;
  let lastQueuedAt = 0;
  for (const { id, acceptedAt } of facts.accepted) {
    lastAcceptedAt = Math.max(lastAcceptedAt, acceptedAt);
    const why: string[] = [];
    const status = signals.get(id);
    if (status !== 'routed') why.push(status === undefined ? 'not stored' : `status ${status}`);
    const arrival = facts.arrivals.get(id);
    if (arrival) {
      queueLagMs.push(arrival.sentAt - acceptedAt);
      lastQueuedAt = Math.max(lastQueuedAt, arrival.sentAt);
    } else {
      why.push('not on a team queue');
    }
    const routedAt = referralCreated.get(id);
    if (routedAt !== undefined) routedLagMs.push(routedAt - acceptedAt);
    const types = eventsOf.get(id);
    for (const type of EVENTS_PER_SIGNAL) {
      const times = types?.get(type) ?? 0;
      if (times === 0) why.push(`no ${type}`);
      if (times > 1) duplicateEvents += times - 1;
    }
    if (why.length > 0) lost.push({ id, why });
  }

  let duplicateSignals = 0;
  for (const count of signalsPerSource.values()) duplicateSignals += count - 1;

  return {
    lost,
    duplicateSignals,
    duplicateAuditIds,
    duplicateEvents,
    chains,
    queueLagMs,
    routedLagMs,
    lastAcceptedAt,
    lastQueuedAt,
    auditCompleteAt,
    auditEvents,
  };
}
