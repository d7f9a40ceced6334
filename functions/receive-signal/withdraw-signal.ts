import { WithdrawInputSchema } from '../../schemas/signal.js';
import type { SignalView } from '../../schemas/views.js';
import { actorOf } from '../shared/actor.js';
import { utcTimestamp } from '../../domain/dates.js';
import { isTerminal } from '../../domain/referral-state.js';
import { ConflictError, ServiceUnavailableError, ValidationError } from '../shared/errors.js';
import type { Client } from '../shared/http/client-context.js';
import { parseWith } from '../shared/http/invalid-params.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral } from '../shared/model.js';
import type { TeamQueue } from '../shared/ports/queues.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import { referralCloudEvent } from '../shared/referral-events.js';
import { loadOwnSignal, toSignalView } from './signal-view.js';

export interface WithdrawSignalDeps {
  signals: SignalStore;
  teams: TeamQueue;
  deployment: string;
  now: () => Date;
}

export async function withdrawSignal(
  deps: WithdrawSignalDeps,
  input: { client: Client; user: string | undefined; id: string | undefined; body: unknown },
): Promise<SignalView> {
  const parsed = parseWith(WithdrawInputSchema, input.body ?? {});
  if (!parsed.ok) throw new ValidationError(parsed.invalidParams);
  const signal = await loadOwnSignal(deps.signals, input.client, input.id);
  const referrals = await deps.signals.getReferrals(signal.referralIds);

  if (signal.status === 'withdrawn') {
    // Repeating a withdrawal is safe: re-send the notices in case the first attempt failed after
    // the transaction; teams deduplicate on the CloudEvent id.
    await notifyTeams(
      deps,
      referrals.filter((r) => r.status === 'withdrawn'),
    );
    return toSignalView(signal, referrals);
  }

  const open = referrals.filter((r) => !isTerminal(r.status));
  if (signal.status === 'routed' && open.length === 0) {
    throw new ConflictError(
      'Every referral of this signal has already ended; there is nothing left to withdraw.',
    );
  }

  const at = utcTimestamp(deps.now());
  const outcome = await deps.signals.withdrawSignal(
    signal,
    open,
    {
      eventType: 'signal.withdrawn',
      at,
      actor: actorOf(input.client, input.user),
      onBehalfOf: { schoolLocation: signal.schoolLocation },
      details: { fromStatus: signal.status, openReferrals: open.length },
    },
    parsed.value.reason,
  );
  if (outcome.outcome === 'changed-meanwhile') {
    throw new ConflictError('The signal or one of its referrals changed meanwhile; read it again and retry.');
  }
  logEvent(LOG_EVENTS.signalWithdrawn, { signalId: signal.id, referrals: outcome.referrals.length });
  await notifyTeams(deps, outcome.referrals);

  const updated = await deps.signals.getSignal(signal.id);
  const after = await deps.signals.getReferrals(signal.referralIds);
  return toSignalView(updated ?? signal, after);
}

async function notifyTeams(deps: WithdrawSignalDeps, referrals: readonly StoredReferral[]): Promise<void> {
  try {
    for (const referral of referrals) {
      const event = referralCloudEvent(
        deps.deployment,
        referral,
        'nl.schakel.referral.withdrawn.v1',
        referral.updatedAt,
      );
      await deps.teams.publish(referral.teamId, event);
      logEvent(LOG_EVENTS.teamNotified, {
        referralId: referral.id,
        teamId: referral.teamId,
        type: event.type,
      });
    }
  } catch (error) {
    throw new ServiceUnavailableError(
      `The signal is withdrawn, but a team could not be notified (${(error as Error).name}). Send the withdrawal again to retry the notice.`,
    );
  }
}
