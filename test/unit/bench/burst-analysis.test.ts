import { describe, expect, it } from 'vitest';
import { analyseBurst, type BurstFacts, type TrailEvent } from '../../../bench/burst-analysis.js';
import { GENESIS_HASH, linkHash } from '../../../domain/audit-chain.js';

const T0 = Date.parse('2026-11-29T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

type Draft = Omit<TrailEvent, 'sequence' | 'prevHash' | 'hash'>;

/** A hash chain of the drafts, in order, as write-audit appends it. */
function chain(drafts: readonly Draft[]): TrailEvent[] {
  let prev = { sequence: 0, hash: GENESIS_HASH };
  return drafts.map((draft) => {
    const unhashed = { ...draft, sequence: prev.sequence + 1, prevHash: prev.hash };
    const entry = { ...unhashed, hash: linkHash<TrailEvent>(unhashed) };
    prev = entry;
    return entry;
  });
}

/** The three events routing a new signal writes, recorded `recordedMs` after T0. */
function eventsOf(signalId: string, recordedMs: number): Draft[] {
  const referralId = `r-${signalId}`;
  return [
    {
      id: `SIGNAL#${signalId}#v1`,
      eventType: 'signal.received',
      object: { type: 'signal', id: signalId, signalId, version: 1 },
    },
    {
      id: `REFERRAL#${referralId}#v1`,
      eventType: 'referral.queued',
      object: { type: 'referral', id: referralId, signalId, version: 1 },
    },
    {
      id: `SIGNAL#${signalId}#v2`,
      eventType: 'signal.routed',
      object: { type: 'signal', id: signalId, signalId, version: 2 },
    },
  ].map((e) => ({ ...e, action: e.eventType === 'signal.routed' ? 'U' : 'C', recordedAt: at(recordedMs) }));
}

/** Two signals accepted at 100 and 200 ms, routed, queued and audited. */
function facts(overrides: Partial<BurstFacts> = {}): BurstFacts {
  return {
    accepted: [
      { index: 0, id: 's0', acceptedAt: T0 + 100 },
      { index: 1, id: 's1', acceptedAt: T0 + 200 },
    ],
    sourceIdOf: (i) => `src-${i}`,
    rows: [
      { entity: 'signal', id: 's0', status: 'routed', sourceId: 'src-0' },
      { entity: 'signal', id: 's1', status: 'routed', sourceId: 'src-1' },
      { entity: 'referral', id: 'r-s0', status: 'queued', signalId: 's0', createdAt: at(300) },
      { entity: 'referral', id: 'r-s1', status: 'queued', signalId: 's1', createdAt: at(600) },
      { entity: 'signal', id: 'other', status: 'received', sourceId: 'not-this-burst' },
    ],
    arrivals: new Map([
      ['s0', { sentAt: T0 + 350 }],
      ['s1', { sentAt: T0 + 700 }],
    ]),
    trails: new Map([['0363', chain([...eventsOf('s0', 900), ...eventsOf('s1', 1500)])]]),
    ...overrides,
  };
}

describe('analyseBurst', () => {
  it('finds nothing lost or duplicated when every signal is routed, queued and audited once', () => {
    const analysis = analyseBurst(facts());
    expect(analysis.lost).toEqual([]);
    expect([analysis.duplicateSignals, analysis.duplicateAuditIds, analysis.duplicateEvents]).toEqual([
      0, 0, 0,
    ]);
    expect(analysis.chains).toEqual([{ municipality: '0363', events: 6, verdict: 'valid' }]);
    expect(analysis.auditEvents).toBe(6);
  });

  it('times each stage: 202 → queue and → routed per signal, the last queued and audited moments', () => {
    const analysis = analyseBurst(facts());
    expect(analysis.queueLagMs).toEqual([250, 500]);
    expect(analysis.routedLagMs).toEqual([200, 400]);
    expect(analysis.lastAcceptedAt).toBe(T0 + 200);
    expect(analysis.lastQueuedAt).toBe(T0 + 700);
    expect(analysis.auditCompleteAt).toBe(T0 + 1500);
  });

  it('counts a signal as lost, saying why, when it is not routed, not on a queue or misses an audit event', () => {
    const base = facts();
    const analysis = analyseBurst({
      ...base,
      rows: base.rows.map((r) => (r.id === 's1' ? { ...r, status: 'received' } : r)),
      arrivals: new Map([['s0', { sentAt: T0 + 350 }]]),
      trails: new Map([['0363', chain([...eventsOf('s0', 900), ...eventsOf('s1', 1500).slice(0, 1)])]]),
    });
    expect(analysis.lost).toEqual([
      { id: 's1', why: ['status received', 'not on a team queue', 'no signal.routed', 'no referral.queued'] },
    ]);
  });

  it('counts a second signal for one sourceId, an audit id twice and an event type twice as duplicates', () => {
    const base = facts();
    const twice = [...eventsOf('s0', 900), ...eventsOf('s1', 1500), eventsOf('s1', 1600)[1] as Draft];
    const analysis = analyseBurst({
      ...base,
      rows: [...base.rows, { entity: 'signal', id: 's0-again', status: 'routed', sourceId: 'src-0' }],
      trails: new Map([['0363', chain(twice)]]),
    });
    expect(analysis.duplicateSignals).toBe(1);
    expect(analysis.duplicateAuditIds).toBe(1);
    expect(analysis.duplicateEvents).toBe(1);
    expect(analysis.chains[0]?.verdict).toMatch(/^version-gap/);
  });

  it('reports the chain problem where an entry was altered', () => {
    const trail = chain([...eventsOf('s0', 900), ...eventsOf('s1', 1500)]);
    const altered = trail.map((e) => (e.sequence === 4 ? { ...e, recordedAt: at(1) } : e));
    const analysis = analyseBurst({ ...facts(), trails: new Map([['0363', altered]]) });
    expect(analysis.chains[0]?.verdict).toBe('hash-mismatch at sequence 4');
  });
});
