import * as z from 'zod/mini';
import { dutchCalendarDay } from '../../domain/dates.js';
import { PUPIL_AGE } from '../../domain/plausibility.js';
import { REQUEST_TYPES } from '../../domain/vocabulary.js';
import { MAX_BODY_BYTES } from '../../schemas/api.js';
import { IdSchema } from '../../schemas/common.js';
import type { InvalidParam } from '../../schemas/problem.js';
import {
  SignalSubmissionSchema,
  SubmissionCommonFieldsSchema,
  WithdrawInputSchema,
} from '../../schemas/signal.js';
import { SignalAcceptedSchema, SignalViewSchema } from '../../schemas/views.js';
import { declareFunction, operations } from '../shared/declarations.js';
import { parseWith } from '../shared/http/invalid-params.js';
import { calendarProblems, scopeProblems } from './submission-rules.js';

const SignalPath = z.strictObject({ id: IdSchema });

const referralExample = {
  sourceId: 'lvs-2026-000123',
  requestType: 'referral',
  schoolLocation: '12AB00',
  pupil: { bsn: '999900018', birthDate: '2015-03-14', municipality: '0363', postcode: '1011AB' },
  concerns: ['absence', 'home-situation'],
  urgency: 'regular',
  summary: 'Frequent absence since October; the care team discussed it and the parents ask for support.',
  consent: { parents: true, pupil: false, recordedOn: '2026-11-20' },
  contact: { name: 'J. de Vries', role: 'intern begeleider', email: 'ib@school.example' },
};

const consultationExample = {
  sourceId: 'lvs-2026-000124',
  requestType: 'consultation',
  schoolLocation: '12AB00',
  pupil: { age: 9, municipality: '0363' },
  concerns: ['behaviour'],
  urgency: 'regular',
  summary: 'Outbursts in class since the summer; the care team would like advice before acting.',
  contact: { name: 'J. de Vries', role: 'intern begeleider', email: 'ib@school.example' },
};

const SIGNAL_ID = '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01';

const routedSignalExample = {
  id: SIGNAL_ID,
  sourceId: 'lvs-2026-000123',
  requestType: 'referral',
  schoolLocation: '12AB00',
  status: 'routed',
  receivedAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:05.000Z',
  referrals: [
    {
      id: '7e1d9d5f-7a1b-8d64-8a2f-1c8c9eab2d02',
      teamId: 'jgt-amsterdam-centrum',
      status: 'accepted',
      updatedAt: '2026-11-24T08:15:00.000Z',
    },
  ],
};

/**
 * A body without a known requestType: the union names only requestType, so the fields every
 * submission has are judged here too, and the 400 names them all at once.
 */
function commonFieldProblems(body: unknown): InvalidParam[] {
  const type = (body as { requestType?: unknown } | null)?.requestType;
  if ((REQUEST_TYPES as readonly unknown[]).includes(type)) return [];
  const result = parseWith(SubmissionCommonFieldsSchema, body);
  return result.ok ? [] : result.invalidParams;
}

export const RECEIVE_SIGNAL_OPERATIONS = operations({
  submitSignal: {
    method: 'POST',
    path: '/v1/signals',
    summary: 'Submit a signal about a pupil',
    description: [
      'A school location sends a signal to the youth-care access team of the municipality where the pupil **lives**.',
      '',
      '- `requestType: referral` asks for support for an identified pupil: exactly one of `bsn` (9 digits passing the 11-proof) and `onderwijsnummer` (9 digits starting 10, mod-11 remainder 5), the birth date, the municipality and postcode of the home address, and consent by age on the day of submission (Dutch calendar day) — under 12 the parents, 12 to 15 the parents and the pupil, 16 and over the pupil — recorded between the birth date and today.',
      `- A pupil is ${PUPIL_AGE.min} to ${PUPIL_AGE.max} years old on the day of submission (early childhood education to the end of youth care).`,
      '- `requestType: consultation` asks for advice without identifying the pupil: only the age in years and the municipality; a BSN, onderwijsnummer, birth date, postcode, name or address is refused.',
      '- Free text (`summary`, contact name and role) may hold line breaks but no other control characters; every string must be valid Unicode. An e-mail address follows RFC 5321’s limits (64 characters before the @, 254 in all).',
      `- Idempotent per \`sourceId\` of the calling client: the same body again answers with the same id and the current status; the same \`sourceId\` with other content is a 409 that names the existing signal. The body is at most ${MAX_BODY_BYTES} bytes.`,
      '- `schoolLocation` must be one of the calling client’s school locations (403 otherwise).',
      '',
      // In the description rather than as a structured example: the ADR linter's 400-rule takes any
      // string under `paths` whose key contains "post" for an operation, and a referral has a postcode.
      'A referral for an identified pupil aged 11:',
      '',
      '```json',
      JSON.stringify(referralExample, null, 2),
      '```',
    ].join('\n'),
    roles: ['school'],
    bodyRules: (body, { client, now }) => [
      ...commonFieldProblems(body),
      ...calendarProblems(body, dutchCalendarDay(now)),
      ...scopeProblems(body, client),
    ],
    body: {
      schema: SignalSubmissionSchema,
      required: true,
      examples: {
        consultation: { summary: 'A consultation without identifying the pupil', value: consultationExample },
      },
    },
    responses: {
      202: {
        description: 'Accepted for routing (or, for a repeated submission, the signal as it is now).',
        schema: SignalAcceptedSchema,
        headers: { Location: 'Path of the signal.' },
        example: { id: SIGNAL_ID, status: 'received' },
      },
    },
    problems: {
      403: 'The client does not submit for this school location, or is not a school client.',
      409: 'The sourceId was used before with other content; `signalId` and `Location` name that signal.',
      503: 'Stored but not yet queued for routing; send the same request again (it creates no second signal).',
    },
  },
  getSignal: {
    method: 'GET',
    path: '/v1/signals/{id}',
    summary: 'A signal’s status and its referrals',
    description:
      'What the school sees of its own signal: its status (`received`, `routed`, `unroutable`, `withdrawn`) and each referral with the team and the team’s status. No pupil data. A signal of another school location is a 404, like an unknown id.',
    roles: ['school'],
    pathParameters: SignalPath,
    responses: {
      200: { description: 'The signal.', schema: SignalViewSchema, example: routedSignalExample },
    },
  },
  withdrawSignal: {
    method: 'POST',
    path: '/v1/signals/{id}/withdraw',
    summary: 'Withdraw a signal and its open referrals',
    description:
      'Ends the signal and every referral that has not ended yet (for instance when consent is withdrawn); each team with an open referral receives `nl.schakel.referral.withdrawn.v1`. Repeating a withdrawal answers 200 and sends the notices again. A signal whose referrals have all ended is a 409. The optional `reason` is kept for the teams and never written to logs or the audit trail.',
    roles: ['school'],
    pathParameters: SignalPath,
    body: {
      schema: WithdrawInputSchema,
      required: false,
      examples: { consent: { summary: 'Consent withdrawn', value: { reason: 'Parents withdrew consent.' } } },
    },
    responses: {
      200: {
        description: 'The withdrawn signal.',
        schema: SignalViewSchema,
        example: {
          ...routedSignalExample,
          status: 'withdrawn',
          updatedAt: '2026-11-25T09:00:00.000Z',
          referrals: [
            {
              ...routedSignalExample.referrals[0],
              status: 'withdrawn',
              updatedAt: '2026-11-25T09:00:00.000Z',
            },
          ],
        },
      },
    },
    problems: {
      409: 'Nothing is left to withdraw, or a team changed a referral at the same moment.',
      503: 'Withdrawn, but a team could not be notified yet; send the withdrawal again.',
    },
  },
});

export const RECEIVE_SIGNAL = declareFunction({
  name: 'receive-signal',
  description: 'Schools submit, read and withdraw signals',
  timeoutSeconds: 15,
  memoryMb: 512,
  environment: [
    'STATE_TABLE_NAME',
    'INTAKE_QUEUE_URL',
    'DEPLOYMENT_NAME',
    'PSEUDONYM_SECRET_ARN',
    'PSEUDONYM_KEY',
    'PUPIL_DATA_KEY_ARN',
    'PUPIL_DATA_KEY',
  ],
  access: {
    stateTable: 'read-write',
    intakeQueue: 'send',
    teamQueues: 'send',
    pseudonymSecret: 'read',
    pupilData: 'seal',
  },
  trigger: { kind: 'api', operations: RECEIVE_SIGNAL_OPERATIONS },
});
