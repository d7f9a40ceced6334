import { WAITING_STATUSES } from '../../domain/lead-times.js';
import { signalProgress } from '../../domain/referral-state.js';
import type { Client } from '../../schemas/client.js';
import type { SignalView } from '../../schemas/views.js';
import { NotFoundError } from '../shared/errors.js';
import type { StoredReferral, StoredSignal } from '../shared/model.js';
import type { SignalStore } from '../shared/ports/signal-store.js';

/**
 * What the school sees of its signal: the overall status, and per referral the team by name, every
 * step with its instant and, after a rejection, the team's reason (shown to the school, as the
 * referral events operation promises the team).
 */
export function toSignalView(
  signal: StoredSignal,
  referrals: readonly StoredReferral[],
  teamNames: ReadonlyMap<string, string> = new Map(),
): SignalView {
  return {
    id: signal.id,
    sourceId: signal.sourceId,
    requestType: signal.requestType,
    schoolLocation: signal.schoolLocation,
    status: signal.status,
    overallStatus: signalProgress(
      signal.status,
      referrals.map((r) => r.status),
    ),
    ...(signal.unroutableReason ? { unroutableReason: signal.unroutableReason } : {}),
    ...(signal.discussedInCareTeamOn ? { discussedInCareTeamOn: signal.discussedInCareTeamOn } : {}),
    ...(signal.followsConsultation ? { followsConsultation: signal.followsConsultation } : {}),
    ...(signal.clockStartAt ? { clockStartAt: signal.clockStartAt } : {}),
    receivedAt: signal.receivedAt,
    updatedAt: signal.updatedAt,
    referrals: referrals.map((r) => {
      const teamName = teamNames.get(r.teamId);
      const rejectionReason = r.history.findLast((h) => h.status === 'rejected')?.reason;
      return {
        id: r.id,
        teamId: r.teamId,
        status: r.status,
        updatedAt: r.updatedAt,
        ...(teamName ? { teamName } : {}),
        ...(r.routedBy ? { routedBy: r.routedBy } : {}),
        history: r.history,
        ...(rejectionReason ? { rejectionReason } : {}),
        ...(r.dueAt ? { dueAt: r.dueAt } : {}),
        ...(r.dueAt ? { overdue: r.overdueAt !== undefined && WAITING_STATUSES.has(r.status) } : {}),
      };
    }),
  };
}

/**
 * The signal if this school client may see it. A signal of another school location is a 404,
 * exactly like an unknown id, so ids of other tenants cannot be probed.
 */
export async function loadOwnSignal(signals: SignalStore, client: Client, id: string): Promise<StoredSignal> {
  const signal = await signals.getSignal(id);
  const ownLocations = client.role === 'school' ? (client.scope.schoolLocations ?? []) : [];
  if (!signal || !ownLocations.includes(signal.schoolLocation)) throw new NotFoundError();
  return signal;
}

export async function getSignal(
  deps: { signals: SignalStore; teamNames?: ReadonlyMap<string, string> },
  input: { client: Client; id: string },
): Promise<SignalView> {
  const signal = await loadOwnSignal(deps.signals, input.client, input.id);
  const referrals = await deps.signals.getReferrals(signal.referralIds);
  return toSignalView(signal, referrals, deps.teamNames);
}
