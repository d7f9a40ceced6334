import { utcTimestamp } from '../../domain/dates.js';
import { isTerminal } from '../../domain/referral-state.js';
import type { Client } from '../../schemas/client.js';
import type { SignalView } from '../../schemas/views.js';
import { actorOf } from '../shared/actor.js';
import { ConflictError, ServiceUnavailableError } from '../shared/errors.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { ChangeRecord, StoredReferral, StoredSignal } from '../shared/model.js';
import type { TeamQueue } from '../shared/ports/queues.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import { notifyTeams as notify } from '../shared/referral-events.js';
import { nextSignal, referralWrite, signalWrite, stepReferral } from '../shared/state-changes.js';
import { loadOwnSignal, toSignalView } from './signal-view.js';

export interface WithdrawSignalDeps {
  signals: SignalStore;
  teams: TeamQueue;
  deployment: string;
  now: () => Date;
  /** Team ids to display names, for the answer (deployment configuration). */
  teamNames?: ReadonlyMap<string, string>;
}

export interface WithdrawSignalInput {
  client: Client;
  user: string | undefined;
  id: string;
  /** Free text for the teams' history; never logged or audited. */
  reason: string | undefined;
}

/**
 * The school withdraws its signal (for instance because consent was withdrawn): the signal and
 * every open referral end in one transaction, and each team with an open referral is told.
 */
/**
 * Commits lost to a change that ran at the same moment (routing, a re-route, a team's step, an
 * assignment) are tried again on what is stored then: a withdrawal (consent withdrawn) must not
 * fail because something else happened first, or a team would keep reading the pupil's data.
 */
const WITHDRAW_ATTEMPTS = 5;

export async function withdrawSignal(
  deps: WithdrawSignalDeps,
  input: WithdrawSignalInput,
  attempt = 1,
): Promise<SignalView> {
  const signal = await loadOwnSignal(deps.signals, input.client, input.id);
  const referrals = await deps.signals.getReferrals(signal.referralIds);
  if (signal.status === 'withdrawn') return repeated(deps, signal, referrals);

  const open = referrals.filter((r) => !isTerminal(r.status));
  if (signal.status === 'routed' && open.length === 0) {
    // The referrals may have ended by a withdrawal that ran between the two reads.
    const lost = await repeatIfWithdrawnMeanwhile(deps, input);
    if (lost) return lost;
    throw new ConflictError(
      'Every referral of this signal has already ended; there is nothing left to withdraw.',
    );
  }

  const at = utcTimestamp(deps.now());
  const change: ChangeRecord = {
    eventType: 'signal.withdrawn',
    at,
    actor: actorOf(input.client, input.user),
    onBehalfOf: { schoolLocation: signal.schoolLocation },
    details: { fromStatus: signal.status, openReferrals: open.length },
  };
  const withdrawn: StoredReferral[] = [];
  for (const referral of open) {
    const step = stepReferral(
      referral,
      'withdrawn',
      { at, actor: change.actor, onBehalfOf: change.onBehalfOf, details: { teamId: referral.teamId } },
      input.reason,
    );
    // Open means not terminal, and the lifecycle allows a withdrawal from every such status.
    if (!step.ok) throw new Error(`referral ${referral.id} cannot be withdrawn from ${referral.status}`);
    withdrawn.push(step.referral);
  }
  const updated = nextSignal(signal, { status: 'withdrawn' }, change);
  const outcome = await deps.signals.commit([signalWrite(updated), ...withdrawn.map(referralWrite)]);
  if (outcome === 'conflict') {
    // A parallel withdrawal of the same signal (a client retrying on a timeout) won the race:
    // this request is then a repeat, not a conflict. A team event that came first is one.
    const lost = await repeatIfWithdrawnMeanwhile(deps, input);
    if (lost) return lost;
    if (attempt < WITHDRAW_ATTEMPTS) return withdrawSignal(deps, input, attempt + 1);
    throw new ConflictError('The signal or one of its referrals changed meanwhile; read it again and retry.');
  }
  logEvent(LOG_EVENTS.signalWithdrawn, { signalId: signal.id, referrals: withdrawn.length });
  await notifyTeams(deps, withdrawn);

  const byId = new Map(withdrawn.map((r) => [r.id, r]));
  return toSignalView(
    updated,
    referrals.map((r) => byId.get(r.id) ?? r),
    deps.teamNames,
  );
}

async function repeatIfWithdrawnMeanwhile(
  deps: WithdrawSignalDeps,
  input: WithdrawSignalInput,
): Promise<SignalView | undefined> {
  const now = await loadOwnSignal(deps.signals, input.client, input.id);
  if (now.status !== 'withdrawn') return undefined;
  return repeated(deps, now, await deps.signals.getReferrals(now.referralIds));
}

/**
 * Repeating a withdrawal is safe: the notices are sent again in case the first attempt failed
 * after the transaction; teams deduplicate on the CloudEvent id.
 */
async function repeated(
  deps: WithdrawSignalDeps,
  signal: StoredSignal,
  referrals: readonly StoredReferral[],
): Promise<SignalView> {
  await notifyTeams(
    deps,
    referrals.filter((r) => r.status === 'withdrawn'),
  );
  return toSignalView(signal, referrals, deps.teamNames);
}

async function notifyTeams(deps: WithdrawSignalDeps, referrals: readonly StoredReferral[]): Promise<void> {
  try {
    await notify(
      deps.teams,
      deps.deployment,
      referrals,
      'nl.schakel.referral.withdrawn.v1',
      (r) => r.updatedAt,
    );
  } catch (error) {
    throw new ServiceUnavailableError(
      `The signal is withdrawn, but a team could not be notified (${(error as Error).name}). Send the withdrawal again to retry the notice.`,
    );
  }
}
