import { describe, expect, it } from 'vitest';
import {
  allowedEvents,
  isTerminal,
  REFERRAL_STATUSES,
  type ReferralEventType,
  type ReferralStatus,
  TEAM_EVENT_TYPES,
  type Transition,
  transition,
} from '../../../domain/referral-state.js';

// The lifecycle as the design brief states it, written independently of the implementation:
// queued → delivered → accepted → started → closed; rejected (with a reason) from queued,
// delivered or accepted; withdrawn from any non-terminal status; closed/rejected/withdrawn are final.
const HAPPY_PATH: readonly ReferralStatus[] = ['queued', 'delivered', 'accepted', 'started', 'closed'];
const DESIGN_TERMINAL: readonly ReferralStatus[] = ['closed', 'rejected', 'withdrawn'];
const DESIGN_REJECTABLE: readonly ReferralStatus[] = ['queued', 'delivered', 'accepted'];

type Expected =
  | { ok: true; to: ReferralStatus }
  | { ok: false; reason: 'terminal' | 'not-allowed' | 'reason-required' };

function designOutcome(from: ReferralStatus, event: ReferralEventType, reason: string | undefined): Expected {
  if (DESIGN_TERMINAL.includes(from)) return { ok: false, reason: 'terminal' };
  if (event === 'withdrawn') return { ok: true, to: 'withdrawn' };
  if (event === 'rejected') {
    if (!DESIGN_REJECTABLE.includes(from)) return { ok: false, reason: 'not-allowed' };
    return reason?.trim() ? { ok: true, to: 'rejected' } : { ok: false, reason: 'reason-required' };
  }
  const next = HAPPY_PATH[HAPPY_PATH.indexOf(from) + 1];
  return next === event ? { ok: true, to: event } : { ok: false, reason: 'not-allowed' };
}

const EVENTS: readonly ReferralEventType[] = [...TEAM_EVENT_TYPES, 'withdrawn'];
const REASONS: readonly (string | undefined)[] = [undefined, '   ', 'no capacity in this team'];

const TABLE = REFERRAL_STATUSES.flatMap((from) =>
  EVENTS.flatMap((event) =>
    REASONS.map((reason) => ({ from, event, reason, expected: designOutcome(from, event, reason) })),
  ),
);

function expectedTransition(from: ReferralStatus, event: ReferralEventType, expected: Expected): Transition {
  return expected.ok
    ? { ok: true, from, to: expected.to }
    : { ok: false, from, event, reason: expected.reason };
}

describe('referral-state', () => {
  it('knows exactly the statuses and team events of the design brief', () => {
    expect([...REFERRAL_STATUSES].sort()).toEqual(
      ['accepted', 'closed', 'delivered', 'queued', 'rejected', 'started', 'withdrawn'].sort(),
    );
    expect([...TEAM_EVENT_TYPES].sort()).toEqual(
      ['accepted', 'closed', 'delivered', 'rejected', 'started'].sort(),
    );
  });

  it('covers every status × event × reason combination in the table', () => {
    expect(TABLE).toHaveLength(REFERRAL_STATUSES.length * EVENTS.length * REASONS.length);
    expect(TABLE).toHaveLength(7 * 6 * 3);
  });

  it.each(TABLE)(
    'applies $event to $from with reason $reason as the design says',
    ({ from, event, reason, expected }) => {
      const result = transition(from, event, reason);

      expect(result).toEqual(expectedTransition(from, event, expected));
    },
  );

  it.each(REFERRAL_STATUSES)('treats %s as terminal exactly when the design does', (status) => {
    expect(isTerminal(status)).toBe(DESIGN_TERMINAL.includes(status));
  });

  it.each(REFERRAL_STATUSES)('lists for %s exactly the events that succeed with a reason', (status) => {
    const succeeding = EVENTS.filter((event) => designOutcome(status, event, 'a reason').ok);

    expect([...allowedEvents(status)].sort()).toEqual([...succeeding].sort());
  });

  it('walks the whole happy path from queued to closed', () => {
    let status: ReferralStatus = 'queued';
    for (const event of ['delivered', 'accepted', 'started', 'closed'] as const) {
      const result = transition(status, event);
      if (!result.ok) throw new Error(`refused ${event} from ${status}: ${result.reason}`);
      status = result.to;
    }

    expect(status).toBe('closed');
  });

  it('refuses to skip a step when a team accepts a referral it was never delivered', () => {
    expect(transition('queued', 'accepted')).toEqual({
      ok: false,
      from: 'queued',
      event: 'accepted',
      reason: 'not-allowed',
    });
  });

  it('reports terminal before a missing reason when rejecting a closed referral', () => {
    expect(transition('closed', 'rejected')).toMatchObject({ ok: false, reason: 'terminal' });
  });
});
