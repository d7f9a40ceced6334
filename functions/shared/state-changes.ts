import { type ReferralEventType, type Transition, transition } from '../../domain/referral-state.js';
import type { ChangeRecord, StoredReferral, StoredSignal } from './model.js';
import type { StateWrite } from './ports/state-writes.js';

// The next version of a signal or referral, decided here and written by a store as it is: every
// status change goes through the lifecycle of domain/referral-state.ts, bumps the version by one
// and carries the change record (who, what, when) that the audit writer reads from the stream.

type SignalPatch = Partial<Pick<StoredSignal, 'status' | 'referralIds' | 'unroutableReason'>>;

/** The unroutable reason lives exactly as long as the status it explains. */
export function nextSignal(signal: StoredSignal, patch: SignalPatch, change: ChangeRecord): StoredSignal {
  const { unroutableReason: before, ...rest } = signal;
  const { unroutableReason: given, ...fields } = patch;
  const status = patch.status ?? signal.status;
  const reason = status === 'unroutable' ? (given ?? before) : undefined;
  return {
    ...rest,
    ...fields,
    ...(reason ? { unroutableReason: reason } : {}),
    version: signal.version + 1,
    updatedAt: change.at,
    lastChange: change,
  };
}

export type ReferralStep =
  | { ok: true; referral: StoredReferral; from: StoredReferral['status'] }
  | { ok: false; refused: Extract<Transition, { ok: false }> };

/**
 * Applies a lifecycle event to a referral. `change` says who and when; the event type and the
 * statuses of the audit record follow from the transition itself.
 */
export function stepReferral(
  referral: StoredReferral,
  event: ReferralEventType,
  change: Omit<ChangeRecord, 'eventType'>,
  reason?: string,
  suggestedTeamId?: string,
): ReferralStep {
  const step = transition(referral.status, event, reason);
  if (!step.ok) return { ok: false, refused: step };
  // A referral still open when retention's maximum age removed its pupil data (two years after
  // receipt) takes no new free text either: the retention run does not come back for it.
  const kept = {
    ...(reason && !referral.pupilDataPurgedAt ? { reason } : {}),
    ...(suggestedTeamId ? { suggestedTeamId } : {}),
  };
  const next: StoredReferral = {
    ...referral,
    status: step.to,
    version: referral.version + 1,
    updatedAt: change.at,
    history: [...referral.history, { status: step.to, at: change.at, ...kept }],
    lastChange: {
      ...change,
      eventType: `referral.${step.to}`,
      details: { ...change.details, fromStatus: step.from, toStatus: step.to },
    },
  };
  return { ok: true, referral: next, from: step.from };
}

export const signalWrite = (record: StoredSignal): StateWrite => ({ entity: 'signal', record });
export const referralWrite = (record: StoredReferral): StateWrite => ({ entity: 'referral', record });
