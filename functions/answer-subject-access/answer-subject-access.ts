import type { Client } from '../../schemas/client.js';
import type { SubjectAccessAnswer, SubjectAccessRequest } from '../../schemas/subject-access.js';
import { assertMayReadTrail, recordTrailRead } from '../shared/audit-trail-access.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { AccessLog } from '../shared/ports/access-log.js';
import type { Pseudonymizer } from '../shared/ports/pseudonymizer.js';
import type { PupilAuditTrail } from '../shared/ports/pupil-audit-trail.js';

export interface AnswerSubjectAccessDeps {
  audit: PupilAuditTrail;
  access: AccessLog;
  pseudonymizer: Pseudonymizer;
  now: () => Date;
  newId?: () => string;
}

/**
 * Every audit event about one pupil in a municipality's trail, oldest first (AVG art. 15: the
 * data subject's right to know who accessed their data, when and why). The hub pseudonymises the
 * identifier with its own key, as it did when the events were written, so the identifier is never
 * stored, logged or answered. The request is itself recorded before the answer leaves: no audit
 * record, no answer.
 */
export async function answerSubjectAccess(
  deps: AnswerSubjectAccessDeps,
  input: { client: Client; user: string | undefined; request: SubjectAccessRequest },
): Promise<SubjectAccessAnswer> {
  const { municipality, pupil, limit, cursor } = input.request;
  assertMayReadTrail(input.client, municipality);
  const pupilPseudonym =
    pupil.bsn !== undefined
      ? await deps.pseudonymizer.pseudonymize('bsn', pupil.bsn)
      : await deps.pseudonymizer.pseudonymize('onderwijsnummer', pupil.onderwijsnummer as string);
  const page = await deps.audit.listForPupil({ municipality, pupilPseudonym, limit, cursor });
  await recordTrailRead(deps, {
    municipality,
    client: input.client,
    user: input.user,
    eventType: 'audit-trail.subject-access',
    purpose: 'subject-access',
    details: { eventCount: page.items.length },
    pupilPseudonym,
  });
  logEvent(LOG_EVENTS.subjectAccessAnswered, { municipality, eventCount: page.items.length });
  return { municipality, pupilPseudonym, items: page.items, ...(page.next ? { next: page.next } : {}) };
}
