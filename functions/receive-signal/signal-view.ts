import type { Client } from '../../schemas/client.js';
import type { SignalView } from '../../schemas/views.js';
import { NotFoundError } from '../shared/errors.js';
import type { StoredReferral, StoredSignal } from '../shared/model.js';
import type { SignalStore } from '../shared/ports/signal-store.js';

export function toSignalView(signal: StoredSignal, referrals: readonly StoredReferral[]): SignalView {
  return {
    id: signal.id,
    sourceId: signal.sourceId,
    requestType: signal.requestType,
    schoolLocation: signal.schoolLocation,
    status: signal.status,
    receivedAt: signal.receivedAt,
    updatedAt: signal.updatedAt,
    referrals: referrals.map((r) => ({
      id: r.id,
      teamId: r.teamId,
      status: r.status,
      updatedAt: r.updatedAt,
    })),
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
  deps: { signals: SignalStore },
  input: { client: Client; id: string },
): Promise<SignalView> {
  const signal = await loadOwnSignal(deps.signals, input.client, input.id);
  const referrals = await deps.signals.getReferrals(signal.referralIds);
  return toSignalView(signal, referrals);
}
