import { randomUUID } from 'node:crypto';
import { utcTimestamp } from '../../domain/dates.js';
import type { ReferralStatus, TeamEventType } from '../../domain/referral-state.js';
import type { Client } from '../../schemas/client.js';
import { actorOf } from '../shared/actor.js';
import { ConflictError, GoneError, NotFoundError } from '../shared/errors.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredReferral } from '../shared/model.js';
import type { AccessLog } from '../shared/ports/access-log.js';
import type { PupilDataVault } from '../shared/ports/pupil-data-vault.js';
import type { ReferralStore } from '../shared/ports/referral-store.js';
import { referralWrite, stepReferral } from '../shared/state-changes.js';
import { toListItem, toReferralState, toReferralView } from './referral-views.js';

export interface TrackReferralDeps {
  referrals: ReferralStore;
  access: AccessLog;
  vault: PupilDataVault;
  now: () => Date;
  newId?: () => string;
}

type Caller = { client: Client; user: string | undefined };

function ownTeam(client: Client): string {
  // Only a provider client has a team; for anyone else every referral is "not found".
  if (client.role !== 'provider' || !client.scope.teamId) throw new NotFoundError();
  return client.scope.teamId;
}

async function loadOwnReferral(deps: TrackReferralDeps, client: Client, id: string): Promise<StoredReferral> {
  const teamId = ownTeam(client);
  const referral = await deps.referrals.getReferral(id);
  if (!referral || referral.teamId !== teamId) throw new NotFoundError();
  return referral;
}

export async function listReferrals(
  deps: TrackReferralDeps,
  input: Caller & {
    query: { limit: number; cursor?: string | undefined; status?: ReferralStatus | undefined };
  },
) {
  const teamId = ownTeam(input.client);
  const page = await deps.referrals.listTeamReferrals(teamId, input.query);
  return { items: page.items.map(toListItem), ...(page.next ? { next: page.next } : {}) };
}

/** Hands out pupil data, so the read is recorded first: no audit record, no data. */
export async function getReferral(deps: TrackReferralDeps, input: Caller & { id: string }) {
  const referral = await loadOwnReferral(deps, input.client, input.id);
  const signal = await deps.referrals.getSignal(referral.signalId);
  if (!signal) throw new Error(`referral ${referral.id} points to a missing signal`);
  // Nothing of the pupil is handed out, so there is no read to record.
  if (signal.sealedSubmission === undefined) throw pupilDataGone(signal.pupilDataPurgedAt);
  const sealed = signal.sealedSubmission;
  await deps.access.recordRead({
    id: (deps.newId ?? randomUUID)(),
    municipality: referral.municipality,
    objectType: 'referral',
    objectId: referral.id,
    objectVersion: referral.version,
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
  const submission = await deps.vault.open(signal.id, sealed);
  logEvent(LOG_EVENTS.referralRead, { referralId: referral.id, teamId: referral.teamId });
  return toReferralView(referral, signal, submission);
}

/** The answer for a referral whose signal's pupil data retention removed (the v1 view needs it). */
export function pupilDataGone(purgedAt: string | undefined): GoneError {
  return new GoneError(
    'Pupil data removed after the retention period',
    `The pupil data of this referral was removed${purgedAt ? ` on ${purgedAt}` : ''}, after its retention period; the referral's status and history stay available from GET /v1/referrals and its events.`,
  );
}

export interface ReferralEventInput {
  type: TeamEventType;
  /** Required for `rejected` (the operation's schema says so); shown to the school, never logged. */
  reason?: string | undefined;
}

export async function recordReferralEvent(
  deps: TrackReferralDeps,
  input: Caller & { id: string; event: ReferralEventInput },
) {
  const referral = await loadOwnReferral(deps, input.client, input.id);
  const { type, reason } = input.event;

  // Reporting the state the referral is already in is a harmless repeat (a consumer retrying
  // after a lost response), not a conflict.
  if (referral.status === type) return toReferralState(referral);

  const step = stepReferral(
    referral,
    type,
    {
      at: utcTimestamp(deps.now()),
      actor: actorOf(input.client, input.user),
      onBehalfOf: { teamId: referral.teamId },
    },
    reason,
  );
  if (!step.ok) {
    logEvent(LOG_EVENTS.referralTransitionRefused, {
      referralId: referral.id,
      from: referral.status,
      requested: type,
    });
    const why =
      step.refused.reason === 'terminal'
        ? `the referral has ended (${referral.status})`
        : step.refused.reason === 'reason-required'
          ? 'a rejection needs a reason'
          : `${type} is not possible from ${referral.status}`;
    throw new ConflictError(`Cannot record ${type}: ${why}.`);
  }

  if ((await deps.referrals.commit([referralWrite(step.referral)])) === 'conflict') {
    // The same report sent twice in parallel: the one that lost finds the state it asked for.
    const now = await loadOwnReferral(deps, input.client, input.id);
    if (now.status === type) return toReferralState(now);
    throw new ConflictError('The referral changed meanwhile; read it again and retry.');
  }
  logEvent(LOG_EVENTS.referralUpdated, { referralId: referral.id, from: step.from, to: type });
  return toReferralState(step.referral);
}
