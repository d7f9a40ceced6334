import { randomUUID } from 'node:crypto';

import { CursorQuerySchema, IdSchema } from '../../schemas/common.js';
import { ReferralEventInputSchema, ReferralStatusSchema } from '../../schemas/referral.js';
import { actorOf } from '../shared/actor.js';
import { utcTimestamp } from '../../domain/dates.js';
import { transition } from '../../domain/referral-state.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import type { Client } from '../shared/http/client-context.js';
import { parseWith } from '../shared/http/invalid-params.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral } from '../shared/model.js';
import type { AccessLog } from '../shared/ports/access-log.js';
import { InvalidCursorError, type ReferralStore } from '../shared/ports/referral-store.js';
import { toListItem, toReferralState, toReferralView } from './referral-views.js';

export interface TrackReferralDeps {
  referrals: ReferralStore;
  access: AccessLog;
  now: () => Date;
  newId?: () => string;
}

type Input = { client: Client; user: string | undefined };

function ownTeam(client: Client): string {
  // Only a provider client has a team; for anyone else every referral is "not found".
  if (client.role !== 'provider' || !client.scope.teamId) throw new NotFoundError();
  return client.scope.teamId;
}

async function loadOwnReferral(
  deps: TrackReferralDeps,
  client: Client,
  id: string | undefined,
): Promise<StoredReferral> {
  if (!IdSchema.safeParse(id).success) throw new ValidationError([{ name: 'id', reason: 'must be a UUID' }]);
  const teamId = ownTeam(client);
  const referral = await deps.referrals.getReferral(id as string);
  if (!referral || referral.teamId !== teamId) throw new NotFoundError();
  return referral;
}

const ListQuerySchema = CursorQuerySchema.extend({ status: ReferralStatusSchema.optional() });

export async function listReferrals(
  deps: TrackReferralDeps,
  input: Input & { query: Record<string, string | undefined> },
) {
  const teamId = ownTeam(input.client);
  const parsed = parseWith(ListQuerySchema, input.query);
  if (!parsed.ok) throw new ValidationError(parsed.invalidParams);
  try {
    const page = await deps.referrals.listTeamReferrals(teamId, parsed.value);
    return { items: page.items.map(toListItem), ...(page.next ? { next: page.next } : {}) };
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new ValidationError([{ name: 'cursor', reason: error.message }]);
    throw error;
  }
}

/** Hands out pupil data, so the read is recorded first: no audit record, no data. */
export async function getReferral(deps: TrackReferralDeps, input: Input & { id: string | undefined }) {
  const referral = await loadOwnReferral(deps, input.client, input.id);
  const signal = await deps.referrals.getSignal(referral.signalId);
  if (!signal) throw new Error(`referral ${referral.id} points to a missing signal`);
  await deps.access.recordRead({
    id: (deps.newId ?? randomUUID)(),
    municipality: referral.municipality,
    objectType: 'referral',
    objectId: referral.id,
    signalId: referral.signalId,
    ...(referral.pupilPseudonym ? { pupilPseudonym: referral.pupilPseudonym } : {}),
    change: {
      eventType: 'referral.read',
      at: utcTimestamp(deps.now()),
      actor: actorOf(input.client, input.user),
      onBehalfOf: { teamId: referral.teamId },
      details: { status: referral.status },
    },
  });
  logEvent(LOG_EVENTS.referralRead, { referralId: referral.id, teamId: referral.teamId });
  return toReferralView(referral, signal);
}

export async function recordReferralEvent(
  deps: TrackReferralDeps,
  input: Input & { id: string | undefined; body: unknown },
) {
  const referral = await loadOwnReferral(deps, input.client, input.id);
  const parsed = parseWith(ReferralEventInputSchema, input.body ?? {});
  if (!parsed.ok) throw new ValidationError(parsed.invalidParams);
  const { type, reason } = parsed.value;

  // Reporting the state the referral is already in is a harmless repeat (a consumer retrying
  // after a lost response), not a conflict.
  if (referral.status === type) return toReferralState(referral);

  const step = transition(referral.status, type, reason);
  if (!step.ok) {
    logEvent(LOG_EVENTS.referralTransitionRefused, {
      referralId: referral.id,
      from: referral.status,
      requested: type,
    });
    const why =
      step.reason === 'terminal'
        ? `the referral has ended (${referral.status})`
        : `${type} is not possible from ${referral.status}`;
    throw new ConflictError(`Cannot record ${type}: ${why}.`);
  }

  const updated = await deps.referrals.updateStatus(
    referral,
    step.to,
    {
      eventType: `referral.${step.to}` as const,
      at: utcTimestamp(deps.now()),
      actor: actorOf(input.client, input.user),
      onBehalfOf: { teamId: referral.teamId },
      details: { fromStatus: step.from, toStatus: step.to },
    },
    reason,
  );
  if (!updated) throw new ConflictError('The referral changed meanwhile; read it again and retry.');
  logEvent(LOG_EVENTS.referralUpdated, { referralId: referral.id, from: step.from, to: step.to });
  return toReferralState(updated);
}
