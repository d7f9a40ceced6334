// The referral lifecycle of the design brief:
// queued → delivered → accepted → started → closed; rejected from queued, delivered or accepted
// (with a reason); withdrawn by the school from any non-terminal state. Anything else is a conflict.

export const REFERRAL_STATUSES = [
  'queued',
  'delivered',
  'accepted',
  'started',
  'closed',
  'rejected',
  'withdrawn',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Events a team reports; `withdrawn` comes from the school through the signal. */
export const TEAM_EVENT_TYPES = ['delivered', 'accepted', 'started', 'closed', 'rejected'] as const;
export type TeamEventType = (typeof TEAM_EVENT_TYPES)[number];
export type ReferralEventType = TeamEventType | 'withdrawn';

export const TERMINAL_STATUSES: ReadonlySet<ReferralStatus> = new Set(['closed', 'rejected', 'withdrawn']);

const ALLOWED_FROM: Record<ReferralEventType, readonly ReferralStatus[]> = {
  delivered: ['queued'],
  accepted: ['delivered'],
  started: ['accepted'],
  closed: ['started'],
  rejected: ['queued', 'delivered', 'accepted'],
  withdrawn: ['queued', 'delivered', 'accepted', 'started'],
};

export type Transition =
  | { ok: true; from: ReferralStatus; to: ReferralStatus }
  | {
      ok: false;
      from: ReferralStatus;
      event: ReferralEventType;
      reason: 'terminal' | 'not-allowed' | 'reason-required';
    };

export function isTerminal(status: ReferralStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/** Applies an event to a status; a rejection needs a non-blank reason. */
export function transition(from: ReferralStatus, event: ReferralEventType, reason?: string): Transition {
  if (isTerminal(from)) return { ok: false, from, event, reason: 'terminal' };
  if (!ALLOWED_FROM[event].includes(from)) return { ok: false, from, event, reason: 'not-allowed' };
  if (event === 'rejected' && !reason?.trim()) return { ok: false, from, event, reason: 'reason-required' };
  return { ok: true, from, to: event };
}

export function allowedEvents(from: ReferralStatus): ReferralEventType[] {
  return (Object.keys(ALLOWED_FROM) as ReferralEventType[]).filter((event) =>
    ALLOWED_FROM[event].includes(from),
  );
}

/**
 * The overall status of a signal from its own and its referrals' statuses: the furthest an open
 * referral got; with none open, `closed` when one closed (help was given), else `routed` (the
 * moment between a rejection and the re-route).
 */
export function signalProgress(
  status: 'received' | 'routed' | 'unroutable' | 'withdrawn',
  referrals: readonly ReferralStatus[],
): 'received' | 'routed' | 'accepted' | 'in-progress' | 'closed' | 'unroutable' | 'withdrawn' {
  if (status !== 'routed') return status;
  if (referrals.includes('started')) return 'in-progress';
  if (referrals.includes('accepted')) return 'accepted';
  if (referrals.some((r) => !isTerminal(r))) return 'routed';
  if (referrals.includes('closed')) return 'closed';
  return 'routed';
}
