import { SubjectAccessAnswerSchema, SubjectAccessRequestSchema } from '../../schemas/subject-access.js';
import { declareFunction, operations } from '../shared/declarations.js';

const PSEUDONYM = 'pp-3q2vQd7bYtq0c7TfQn3gJw9u6dX1mQ4e';
const SIGNAL_ID = '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01';
const REFERRAL_ID = '7e1d9d5f-7a1b-8d64-8a2f-1c8c9eab2d02';

export const ANSWER_SUBJECT_ACCESS_OPERATIONS = operations({
  requestSubjectAccess: {
    method: 'POST',
    path: '/v1/subject-access-requests',
    summary: 'Every audit event about one pupil, oldest first (subject access)',
    description: [
      'For a data subject’s request under AVG article 15: who (client, organisation, user) did what with the pupil’s data, when, on whose behalf and why (NEN 7513) — every change of their signals and referrals and every read of their data, from the municipality’s hash-chained trail.',
      '',
      'Name the pupil by `bsn` or `onderwijsnummer` (exactly one) in the body, never in a URI. The hub turns the identifier into the pupil’s pseudonym with its own key, as it did when the events were written; the identifier is not stored, logged or answered, the pseudonym is. Page with `limit` and the previous answer’s `next` as `cursor`, with the same municipality and pupil.',
      '',
      'The request is recorded in the trail before the answer is returned (event type `audit-trail.subject-access`, purpose `subject-access`), so the pupil’s later requests show it too. A municipality client asks in its own municipalities; another code is a 404. Admins ask in any.',
    ].join('\n'),
    roles: ['municipality', 'admin'],
    body: {
      schema: SubjectAccessRequestSchema,
      required: true,
      examples: {
        bsn: {
          summary: 'A pupil named by BSN',
          value: { municipality: '0363', pupil: { bsn: '999900018' } },
        },
        onderwijsnummer: {
          summary: 'A pupil without a BSN, ten events a page',
          value: { municipality: '0363', pupil: { onderwijsnummer: '101234564' }, limit: 10 },
        },
      },
    },
    responses: {
      200: {
        description: 'A page of the pupil’s audit events, oldest first.',
        schema: SubjectAccessAnswerSchema,
        example: {
          municipality: '0363',
          pupilPseudonym: PSEUDONYM,
          items: [
            {
              id: `SIGNAL#${SIGNAL_ID}#v1`,
              municipality: '0363',
              sequence: 17,
              occurredAt: '2026-11-22T10:00:00.000Z',
              recordedAt: '2026-11-22T10:00:00.388Z',
              action: 'C',
              eventType: 'signal.received',
              outcome: 'success',
              actor: { clientId: 'lvs-regenboog', role: 'school', organisation: 'Stichting De Regenboog' },
              onBehalfOf: { schoolLocation: '12AB00' },
              object: {
                type: 'signal',
                id: SIGNAL_ID,
                signalId: SIGNAL_ID,
                pupilPseudonym: PSEUDONYM,
                version: 1,
              },
              purpose: 'youth-care-access',
              prevHash: '0d5f7e9a1c3b5d7f9e1a3c5b7d9f1e9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c1b',
              hash: '7c9b1d3f5e7a9c1b0d5f7e9a1c3b5d7f9e1a3c5b7d9f1e9f2c4e6a8b0d1f3e5a',
            },
            {
              id: 'ACCESS#9b1c7e2a-4d3f-4a8e-b6c5-2f1e0d9c8b7a',
              municipality: '0363',
              sequence: 42,
              occurredAt: '2026-11-22T10:05:00.000Z',
              recordedAt: '2026-11-22T10:05:00.301Z',
              action: 'R',
              eventType: 'referral.read',
              outcome: 'success',
              actor: {
                clientId: 'team-jgt-amsterdam-centrum',
                role: 'provider',
                organisation: 'OKT Amsterdam',
                user: 'mw-042',
              },
              onBehalfOf: { teamId: 'jgt-amsterdam-centrum' },
              object: {
                type: 'referral',
                id: REFERRAL_ID,
                signalId: SIGNAL_ID,
                pupilPseudonym: PSEUDONYM,
                version: 2,
              },
              purpose: 'youth-care-access',
              details: { status: 'delivered' },
              prevHash: '9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e',
              hash: '1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c',
            },
          ],
        },
      },
    },
    problems: {
      404: 'The municipality is not one of the client’s own.',
    },
  },
});

export const ANSWER_SUBJECT_ACCESS = declareFunction({
  name: 'answer-subject-access',
  description: 'Municipalities ask which audit events concern one pupil (subject access)',
  timeoutSeconds: 15,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME', 'STATE_TABLE_NAME', 'PSEUDONYM_SECRET_ARN', 'PSEUDONYM_KEY'],
  // The state table only for the access record of the request itself, which its stream carries
  // into the trail like every other read.
  access: { auditTable: 'read', stateTable: 'record-reads', pseudonymSecret: 'read' },
  trigger: { kind: 'api', operations: ANSWER_SUBJECT_ACCESS_OPERATIONS },
});
