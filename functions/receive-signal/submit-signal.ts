import { contentHash } from '../../domain/canonical-json.js';
import { ageOn } from '../../domain/consent.js';
import { dutchCalendarDay, utcTimestamp } from '../../domain/dates.js';
import { normalisePostcode, sameSchool } from '../../domain/identifiers.js';
import { clockStart } from '../../domain/lead-times.js';
import type { Client } from '../../schemas/client.js';
import type { SignalSubmission } from '../../schemas/signal.js';
import { actorOf } from '../shared/actor.js';
import { ConflictError, ForbiddenError, ServiceUnavailableError, ValidationError } from '../shared/errors.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { StoredSignal } from '../shared/model.js';
import type { Pseudonymizer } from '../shared/ports/pseudonymizer.js';
import type { PupilDataVault } from '../shared/ports/pupil-data-vault.js';
import type { IntakeQueue } from '../shared/ports/queues.js';
import type { SignalStore } from '../shared/ports/signal-store.js';
import { signalPath } from '../shared/resource-paths.js';
import { calendarProblems, scopeProblems } from './submission-rules.js';

export interface SubmitSignalDeps {
  signals: SignalStore;
  vault: PupilDataVault;
  intake: IntakeQueue;
  pseudonymizer: Pseudonymizer;
  now: () => Date;
  newId: () => string;
}

export interface SubmitSignalInput {
  client: Client;
  user: string | undefined;
  /** Already valid against SignalSubmissionSchema (the operation's body schema). */
  submission: SignalSubmission;
}

export interface SubmitSignalResult {
  id: string;
  status: StoredSignal['status'];
  replayed: boolean;
}

function normalise(submission: SignalSubmission): SignalSubmission {
  if (submission.requestType !== 'referral') return submission;
  return {
    ...submission,
    pupil: { ...submission.pupil, postcode: normalisePostcode(submission.pupil.postcode) },
  };
}

export async function submitSignal(
  deps: SubmitSignalDeps,
  input: SubmitSignalInput,
): Promise<SubmitSignalResult> {
  const { client } = input;
  const submission = normalise(input.submission);

  const now = deps.now();
  const today = dutchCalendarDay(now);
  const hash = contentHash(submission);
  const scope = scopeProblems(submission, client);
  const calendar = calendarProblems(submission, today);
  if (calendar.length) {
    // A retry of a signal accepted earlier is answered as before, even when a rule that depends
    // on the day now judges it differently (the pupil turned 12 at midnight between the tries).
    const earlier = await deps.signals.findSource(client.clientId, submission.sourceId);
    if (earlier?.contentHash === hash) return replay(deps, earlier.signalId);
    throw new ValidationError([...calendar, ...scope]);
  }
  if (scope.length) throw new ForbiddenError('This client does not submit for that school location.', scope);
  if (submission.requestType === 'referral' && submission.followsConsultation) {
    await requireOwnConsultation(deps, client, submission.schoolLocation, submission.followsConsultation);
  }

  const at = utcTimestamp(now);
  let pupilPseudonym: string | undefined;
  let age: number;
  if (submission.requestType === 'referral') {
    const { bsn, onderwijsnummer, birthDate } = submission.pupil;
    pupilPseudonym = bsn
      ? await deps.pseudonymizer.pseudonymize('bsn', bsn)
      : await deps.pseudonymizer.pseudonymize('onderwijsnummer', onderwijsnummer ?? '');
    age = ageOn(birthDate, today);
  } else {
    age = submission.pupil.age;
  }

  const id = deps.newId();
  const signal: StoredSignal = {
    id,
    sourceClientId: client.clientId,
    sourceId: submission.sourceId,
    contentHash: hash,
    status: 'received',
    requestType: submission.requestType,
    schoolLocation: submission.schoolLocation,
    municipality: submission.pupil.municipality,
    urgency: submission.urgency,
    concerns: submission.concerns,
    age,
    ...(pupilPseudonym ? { pupilPseudonym } : {}),
    sealedSubmission: await deps.vault.seal(id, submission),
    referralIds: [],
    ...(submission.requestType === 'referral' && submission.discussedInCareTeamOn
      ? { discussedInCareTeamOn: submission.discussedInCareTeamOn }
      : {}),
    ...(submission.requestType === 'referral' && submission.followsConsultation
      ? { followsConsultation: submission.followsConsultation }
      : {}),
    // A consultation asks for advice: no two-week clock.
    ...(submission.requestType === 'referral'
      ? {
          clockStartAt: clockStart({
            receivedAt: at,
            discussedInCareTeamOn: submission.discussedInCareTeamOn,
          }),
        }
      : {}),
    receivedAt: at,
    updatedAt: at,
    version: 1,
    lastChange: {
      eventType: 'signal.received',
      at,
      actor: actorOf(client, input.user),
      onBehalfOf: { schoolLocation: submission.schoolLocation },
      details: { requestType: submission.requestType, urgency: submission.urgency },
    },
  };

  const created = await deps.signals.createSignal(signal);
  if (created.outcome === 'exists') {
    if (created.contentHash !== hash) {
      logEvent(LOG_EVENTS.signalConflicted, { signalId: created.signalId });
      throw new ConflictError(
        'This sourceId was already used for a signal with other content. Use a new sourceId for a new signal.',
        { signalId: created.signalId, location: signalPath(created.signalId) },
      );
    }
    return replay(deps, created.signalId);
  }

  logEvent(LOG_EVENTS.signalReceived, { signalId: signal.id, requestType: signal.requestType });
  await enqueue(deps, signal.id);
  return { id: signal.id, status: 'received', replayed: false };
}

/**
 * A referral may follow a consultation of the same school (the same BRIN, sent for one of this
 * client's locations). Anything else — unknown, a referral, another school's — is the same 400, so
 * the answer tells nothing about other schools' signals.
 */
async function requireOwnConsultation(
  deps: SubmitSignalDeps,
  client: Client,
  schoolLocation: string,
  consultationId: string,
): Promise<void> {
  const consultation = await deps.signals.getSignal(consultationId);
  const own =
    consultation?.requestType === 'consultation' &&
    (client.scope.schoolLocations ?? []).includes(consultation.schoolLocation) &&
    sameSchool(consultation.schoolLocation, schoolLocation);
  if (!own) {
    throw new ValidationError([
      { name: 'followsConsultation', reason: 'must be the id of a consultation this school sent' },
    ]);
  }
}

async function replay(deps: SubmitSignalDeps, signalId: string): Promise<SubmitSignalResult> {
  const existing = await deps.signals.getSignal(signalId);
  const status = existing?.status ?? 'received';
  logEvent(LOG_EVENTS.signalResubmitted, { signalId, status });
  // The first attempt may have stored the signal but failed to enqueue it: enqueue again.
  // Routing is idempotent, so a duplicate message is harmless.
  if (status === 'received') await enqueue(deps, signalId);
  return { id: signalId, status, replayed: true };
}

async function enqueue(deps: SubmitSignalDeps, signalId: string): Promise<void> {
  try {
    await deps.intake.enqueue({ signalId });
    logEvent(LOG_EVENTS.signalEnqueued, { signalId });
  } catch (error) {
    logEvent(LOG_EVENTS.signalEnqueueFailed, { signalId, errorName: (error as Error).name }, 'error');
    throw new ServiceUnavailableError(
      'The signal is stored but could not be queued for routing. Send the same request again; it will not create a second signal.',
    );
  }
}
