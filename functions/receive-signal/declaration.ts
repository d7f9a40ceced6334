import * as z from 'zod/mini';
import { dutchCalendarDay } from '../../domain/dates.js';
import { PUPIL_AGE } from '../../domain/plausibility.js';
import { REQUEST_TYPES } from '../../domain/vocabulary.js';
import { MAX_BATCH_BODY_BYTES, MAX_BATCH_ITEMS, MAX_BODY_BYTES } from '../../schemas/api.js';
import { IdInputSchema } from '../../schemas/common.js';
import type { InvalidParam } from '../../schemas/problem.js';
import {
  SignalSubmissionSchema,
  SubmissionCommonFieldsSchema,
  WithdrawInputSchema,
} from '../../schemas/signal.js';
import { SignalBatchResultSchema, SignalBatchSchema } from '../../schemas/signal-batch.js';
import { SignalAcceptedSchema, SignalViewSchema } from '../../schemas/views.js';
import { declareFunction, operations } from '../shared/declarations.js';
import { parseWith } from '../shared/http/invalid-params.js';
import { MAX_BODY_DEPTH } from '../shared/http/request-middlewares.js';
import { calendarProblems, scopeProblems } from './submission-rules.js';

const SignalPath = z.strictObject({ id: IdInputSchema });

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
const OTHER_SIGNAL_ID = '0b3e5f2a-9c7d-4e1f-8a6b-2d4c6e8f0a13';

const routedSignalExample = {
  id: SIGNAL_ID,
  sourceId: 'lvs-2026-000123',
  requestType: 'referral',
  schoolLocation: '12AB00',
  status: 'routed',
  overallStatus: 'accepted',
  discussedInCareTeamOn: '2026-11-19',
  clockStartAt: '2026-11-18T23:00:00.000Z',
  receivedAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:05.000Z',
  referrals: [
    {
      id: '7e1d9d5f-7a1b-8d64-8a2f-1c8c9eab2d02',
      teamId: 'jgt-amsterdam-centrum',
      teamName: 'Jeugd- en gezinsteam Amsterdam Centrum',
      routedBy: 'rule',
      status: 'accepted',
      updatedAt: '2026-11-24T08:15:00.000Z',
      history: [
        { status: 'queued', at: '2026-11-22T10:00:05.000Z' },
        { status: 'delivered', at: '2026-11-22T10:02:00.000Z' },
        { status: 'accepted', at: '2026-11-24T08:15:00.000Z' },
      ],
      dueAt: '2026-12-02T23:00:00.000Z',
      overdue: false,
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
  submitSignalBatch: {
    method: 'POST',
    path: '/v1/signal-batches',
    summary: `Submit a backlog: up to ${MAX_BATCH_ITEMS} signals at once`,
    description: [
      `For a student tracking system that was offline and has a backlog: up to ${MAX_BATCH_ITEMS} signals in \`signals\`, each exactly a body of \`POST /v1/signals\` and judged, stored and queued for routing exactly as that operation would: the same rules, the same idempotency per \`sourceId\`, the same 409 for a \`sourceId\` reused with other content. One bad item never refuses the others.`,
      '',
      `The answer is **207 Multi-Status** with one result per item, in the order of \`signals\` and naming its \`index\` (from 0). An item's \`status\` is what \`POST /v1/signals\` would have answered for that item alone:`,
      '',
      '- `202`: accepted, with `signal` (`id` and `status`, as the single operation answers; a repeated item answers with the current status) and `location`.',
      '- `400` or `403`: `problem` is that problem+json body, its `invalidParams` named within the item (`pupil.bsn`, not `signals.3.pupil.bsn`). Nothing of the item is stored.',
      '- `409`: the `sourceId` was used before with other content; `location` and `problem.signalId` name the existing signal.',
      '- `503` (or `500`): a service failed for this item; it may or may not be stored. Send it again, alone or in a batch: that never creates a second signal. When a service failed for **every** item, the whole request answers that `503` (with `Retry-After`) or `500` instead of a 207; sending it again is safe.',
      '',
      'Items with the same `sourceId` in one batch are handled in their order, as if sent one by one: the first is stored, a later one with the same content is a repeat (202, same id), with other content a 409.',
      '',
      'Why 207 and not 200 or 202: the request as a whole neither succeeded nor failed, and a 2xx that reads as "all accepted" would mislead generic clients, proxies and monitoring. 207 (RFC 4918) says "read each result", as the Zalando RESTful API Guidelines require of batch and bulk requests (rule 152), here with the JSON body this document describes. A failure that is not about the items answers the whole request with its own status: one found before the items are looked at (400, 401, 403, 413, 415), and a service that failed for every item (503), which no item caused.',
      '',
      `A body that is not an object with \`signals\` holding 1 to ${MAX_BATCH_ITEMS} items is a 400 naming \`signals\`. The limits of the request are those of \`POST /v1/signals\` (valid UTF-8 JSON, nesting at most ${MAX_BODY_DEPTH} deep), except its size: at most ${MAX_BATCH_BODY_BYTES} bytes (${MAX_BATCH_BODY_BYTES / 2 ** 20} MiB, room for ${MAX_BATCH_ITEMS} signals at every field limit; each item is bounded by the limits of its fields), well within what API Gateway and Lambda pass.`,
    ].join('\n'),
    roles: ['school'],
    maxBodyBytes: MAX_BATCH_BODY_BYTES,
    body: {
      schema: SignalBatchSchema,
      required: true,
      batchItems: 'signals',
      examples: {
        backlog: {
          summary: 'Two consultations from one day offline',
          value: {
            signals: [
              consultationExample,
              {
                ...consultationExample,
                sourceId: 'lvs-2026-000125',
                pupil: { age: 13, municipality: '0534' },
              },
            ],
          },
        },
      },
    },
    responses: {
      207: {
        description:
          'One result per item, by index: accepted, or the problem the single operation would answer.',
        schema: SignalBatchResultSchema,
        example: {
          results: [
            {
              index: 0,
              status: 202,
              location: `/v1/signals/${SIGNAL_ID}`,
              signal: { id: SIGNAL_ID, status: 'received' },
            },
            {
              index: 1,
              status: 400,
              problem: {
                status: 400,
                title: 'Bad Request',
                detail: 'The request has invalid fields; see invalidParams.',
                invalidParams: [
                  {
                    name: 'pupil.age',
                    reason: `must be an age a pupil can have: ${PUPIL_AGE.min} to ${PUPIL_AGE.max}`,
                  },
                ],
              },
            },
            {
              index: 2,
              status: 409,
              location: `/v1/signals/${OTHER_SIGNAL_ID}`,
              problem: {
                status: 409,
                title: 'Conflict',
                detail:
                  'This sourceId was already used for a signal with other content. Use a new sourceId for a new signal.',
                signalId: OTHER_SIGNAL_ID,
              },
            },
          ],
        },
      },
    },
    problems: {
      403: 'The client is not a school client. (A school location outside the client’s scope refuses only that item, with a 403 result.)',
      503: 'A service failed for every item; send the same request again (it creates no second signal).',
    },
  },
  getSignal: {
    method: 'GET',
    path: '/v1/signals/{id}',
    summary: 'A signal’s status and its referrals',
    description:
      'What the school sees of its own signal: its status (`received`, `routed`, `unroutable`, `withdrawn`), its `overallStatus` that follows the referrals (`received → routed → accepted → in-progress → closed`, or `unroutable`, `withdrawn`), why it is unroutable, and each referral with the team’s name, every step with its instant, the goal instant, whether it is overdue and, after a rejection, the team’s reason. After a rejection the hub routes the signal again (see `POST /v1/referrals/{id}/events`), so a signal may have several referrals. No pupil data. A signal of another school location is a 404, like an unknown id.',
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
      'Ends the signal and every referral that has not ended yet (for instance when consent is withdrawn); each team with an open referral receives `nl.schakel.referral.withdrawn.v1`. Repeating a withdrawal answers 200 and sends the notices again; a withdrawal that meets another change at the same moment (routing, a team’s step) is applied to what that change left. A signal whose referrals have all ended is a 409. The optional `reason` is kept with the withdrawn referrals (the school sees it in their history); it is never written to logs or the audit trail, and the teams, whose access to the pupil data ends with the withdrawal, see the status, not the text.',
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
          overallStatus: 'withdrawn',
          updatedAt: '2026-11-25T09:00:00.000Z',
          referrals: [
            {
              ...routedSignalExample.referrals[0],
              status: 'withdrawn',
              updatedAt: '2026-11-25T09:00:00.000Z',
              history: [
                ...(routedSignalExample.referrals[0]?.history ?? []),
                { status: 'withdrawn', at: '2026-11-25T09:00:00.000Z', reason: 'Parents withdrew consent.' },
              ],
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
    'SCHAKEL_DEPLOYMENT_CONFIG',
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
