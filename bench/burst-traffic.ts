import { setTimeout as sleep } from 'node:timers/promises';
import { dutchCalendarDay } from '../domain/dates.js';
import { isValidBsn } from '../domain/identifiers.js';
import type { Concern } from '../domain/vocabulary.js';
import { type LocalConfig, type LocalTeamClient, schoolClient } from '../local/local-config.js';
import type { SignalSubmission } from '../schemas/signal.js';
import { call, type HubAddress, type Outcome } from '../test/integration/local/hub-support.js';

// What the burst sends: signals as a school's student tracking system would, over HTTP with the
// seeded school's API key, every one new (its own sourceId and pupil), spread over the teams the
// seeded routing rules know. Half are referrals (an identified pupil, sealed before storage), half
// consultations (no identity), so the stored items have the size real ones have.

/** Concern sets in turn: one of them (safety) is routed by a municipality's more specific rule. */
const CONCERN_SETS: readonly Concern[][] = [
  ['absence', 'behaviour'],
  ['safety', 'home-situation'],
  ['learning', 'social-emotional'],
];

const CONTACT = { name: 'M. Jansen', role: 'intern begeleider', email: 'ib@wilgenhoek.example.org' };

/** Test BSNs (999900006–999999990 is the test range) that pass the 11-proof: about 9,000. */
const TEST_BSNS: readonly string[] = (() => {
  const found: string[] = [];
  for (let n = 999_900_006; n <= 999_999_990; n++) if (isValidBsn(String(n))) found.push(String(n));
  return found;
})();

export interface SignalFactory {
  /** The `index`-th signal of a phase; `phase` keeps the sourceIds of phases apart. */
  submission(phase: string, index: number): SignalSubmission;
}

/**
 * Signals for the hub's seeded school, to the municipalities a team's default rule covers (so none
 * is unroutable), alternating the school's locations, concern sets and request types.
 */
export function signalFactory(config: LocalConfig, run: string, now = new Date()): SignalFactory {
  const school = schoolClient(config);
  const municipalities = [
    ...new Set(
      config.clients.flatMap((c) => (c.role === 'provider' ? (c as LocalTeamClient).municipalities : [])),
    ),
  ].sort();
  if (municipalities.length === 0) throw new Error('the hub has no team with a default routing rule');
  const today = dutchCalendarDay(now);
  const yesterday = dutchCalendarDay(new Date(now.getTime() - 86_400_000));
  // Nine or ten years old on any day: below 12 the parents consent.
  const birthDate = `${Number(today.slice(0, 4)) - 10}-01-15`;
  return {
    submission(phase, index) {
      const municipality = municipalities[index % municipalities.length] as string;
      const turn = Math.floor(index / municipalities.length);
      const common = {
        sourceId: `bench-${run}-${phase}-${index}`,
        schoolLocation: school.schoolLocations[index % school.schoolLocations.length] as string,
        concerns: CONCERN_SETS[turn % CONCERN_SETS.length] as Concern[],
        urgency: index % 7 === 0 ? ('urgent' as const) : ('regular' as const),
        contact: CONTACT,
      };
      if (Math.floor(turn / CONCERN_SETS.length) % 2 === 0) {
        return {
          ...common,
          requestType: 'referral',
          summary:
            'Absent on most Mondays since September and withdrawn in class; discussed in the care team (ZAT), the parents ask for support at home.',
          pupil: {
            bsn: TEST_BSNS[index % TEST_BSNS.length] as string,
            birthDate,
            municipality,
            postcode: '1011AB',
          },
          consent: { parents: true, pupil: false, recordedOn: yesterday },
        };
      }
      return {
        ...common,
        requestType: 'consultation',
        summary: 'Frequent absence since the autumn holiday; the care team would like advice on next steps.',
        pupil: { age: 6 + (index % 10), municipality },
      };
    },
  };
}

/** An accepted signal: its id and when the client had the 202 (epoch ms, the clock the hub stamps with). */
export interface Accepted {
  index: number;
  id: string;
  acceptedAt: number;
}

export interface Refused {
  index: number;
  /** The last HTTP status, or the connection error's code. */
  status: number | string;
}

/** 5xx and a failed connection are retried with the same body (a repeat never makes a second signal). */
const ATTEMPTS = 5;
const RETRY_PAUSE_MS = 250;

const retryable = (outcome: Outcome) => outcome.kind === 'failed' || outcome.status >= 500;

/** Tallies of one phase of submissions. */
export class Submissions {
  readonly accepted: Accepted[] = [];
  readonly refused: Refused[] = [];
  /** Milliseconds from sending a request to its answer, per request (retries are requests too). */
  readonly latencies: number[] = [];
  retries = 0;

  get settled(): number {
    return this.accepted.length + this.refused.length;
  }

  /** `POST /v1/signals` as the school, retried like a careful client. */
  async single(hub: HubAddress, index: number, body: SignalSubmission): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const sentAt = performance.now();
      const outcome = await call(hub, 'POST', '/v1/signals', body);
      this.latencies.push(performance.now() - sentAt);
      if (outcome.kind === 'answer' && outcome.status === 202) {
        this.accepted.push({ index, id: (outcome.body as { id: string }).id, acceptedAt: Date.now() });
        return;
      }
      if (!retryable(outcome) || attempt === ATTEMPTS) {
        this.refused.push({ index, status: outcome.kind === 'answer' ? outcome.status : outcome.code });
        return;
      }
      this.retries += 1;
      await sleep(RETRY_PAUSE_MS * attempt);
    }
  }

  /**
   * `POST /v1/signal-batches` as the school: the items answered 202 are accepted; items answered
   * 5xx, or the whole request failing, are sent again in the next attempt.
   */
  async batch(hub: HubAddress, items: readonly { index: number; body: SignalSubmission }[]): Promise<void> {
    let pending = items;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const sentAt = performance.now();
      const outcome = await call(hub, 'POST', '/v1/signal-batches', { signals: pending.map((i) => i.body) });
      this.latencies.push(performance.now() - sentAt);
      const at = Date.now();
      const results =
        outcome.kind === 'answer' && outcome.status === 207
          ? (outcome.body as { results: { index: number; status: number; signal?: { id: string } }[] })
              .results
          : undefined;
      const again: { index: number; body: SignalSubmission }[] = [];
      pending.forEach((item, position) => {
        const result = results?.find((r) => r.index === position);
        if (result?.status === 202 && result.signal) {
          this.accepted.push({ index: item.index, id: result.signal.id, acceptedAt: at });
        } else if ((result ? result.status >= 500 : retryable(outcome)) && attempt < ATTEMPTS) {
          again.push(item);
        } else {
          const status = result?.status ?? (outcome.kind === 'answer' ? outcome.status : outcome.code);
          this.refused.push({ index: item.index, status });
        }
      });
      if (again.length > 0) {
        this.retries += again.length;
        await sleep(RETRY_PAUSE_MS * attempt);
      }
      pending = again;
    }
  }
}
