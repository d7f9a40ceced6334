import * as z from 'zod/mini';
import {
  BooleanQuerySchema,
  CursorQuerySchema,
  IdInputSchema,
  MunicipalityCodeSchema,
} from '../../schemas/common.js';
import { ReferralEventInputSchema, ReferralStatusSchema } from '../../schemas/referral.js';
import { ReferralPageSchema, ReferralStateSchema, ReferralViewSchema } from '../../schemas/views.js';
import { declareFunction, operations } from '../shared/declarations.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { referralListQueryProblems } from '../shared/scopes.js';

const ReferralPath = z.strictObject({ id: IdInputSchema });

const listItemExample = {
  id: '7e1d9d5f-7a1b-8d64-8a2f-1c8c9eab2d02',
  signalId: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
  teamId: 'jgt-amsterdam-centrum',
  municipality: '0363',
  status: 'delivered',
  requestType: 'consultation',
  urgency: 'regular',
  createdAt: '2026-11-22T10:00:05.000Z',
  updatedAt: '2026-11-22T10:02:00.000Z',
};

const historyExample = [
  { status: 'queued', at: '2026-11-22T10:00:05.000Z' },
  { status: 'delivered', at: '2026-11-22T10:02:00.000Z' },
];

export const TRACK_REFERRAL_OPERATIONS = operations({
  listReferrals: {
    method: 'GET',
    path: '/v1/referrals',
    summary: 'A team’s referrals, or a municipality’s overdue referrals',
    description: [
      'A team (provider client) lists its own referrals, newest first, optionally of one `status`, or with `overdue=true` only those past their goal that have not started (escalated). No pupil data: read a referral to see it (that read is audited).',
      '',
      'A municipality lists the overdue referrals of pupils living in it (`overdue=true` is required; `municipality` when the client has several), most overdue first: the referrals help has not started for within the goal (14 days from the care-team discussion or receipt by default, 5 for urgent), whether accepted or not. No pupil data either. Page with `limit` and `cursor`.',
    ].join('\n'),
    roles: ['provider', 'municipality'],
    queryRules: (query, { client }) => referralListQueryProblems(client, query),
    query: z.extend(CursorQuerySchema, {
      status: z.optional(
        ReferralStatusSchema.check(z.meta({ description: 'Only referrals in this status (teams).' })),
      ),
      overdue: z.optional(
        BooleanQuerySchema.check(
          z.meta({ description: '`true`: only referrals past their goal and not started (escalated).' }),
        ),
      ),
      municipality: z.optional(
        MunicipalityCodeSchema.check(
          z.meta({ description: 'A municipality client with several codes: which one (municipalities).' }),
        ),
      ),
    }),
    responses: {
      200: {
        description: 'A page of referrals.',
        schema: ReferralPageSchema,
        example: { items: [listItemExample], next: 'eyJwayI6IlJFRkVSUkFMIzdlMWQ5ZDVmIn0' },
      },
    },
  },
  getReferral: {
    method: 'GET',
    path: '/v1/referrals/{id}',
    summary: 'A referral with the pupil data (every read is audited)',
    description:
      'The referral with the signal the school sent: the pupil, consent, concerns, summary and the school’s contact. Each read is recorded in the municipality’s audit trail before the data is returned; pass `Schakel-User` to name the person reading. A referral of another team is a 404.',
    roles: ['provider'],
    pathParameters: ReferralPath,
    problems: {
      410: 'The pupil data is no longer handed out: `reason` says why — `withdrawn` (the school withdrew the signal, for instance because consent was withdrawn; withdrawal ends access) or `retention` (removed after the retention period: six months after the last referral of the signal ended, two years after receipt at the latest). The status is still listed.',
    },
    responses: {
      200: {
        description: 'The referral (here a consultation, which never identifies the pupil).',
        schema: ReferralViewSchema,
        example: {
          id: listItemExample.id,
          signalId: listItemExample.signalId,
          teamId: listItemExample.teamId,
          municipality: '0363',
          status: 'delivered',
          createdAt: listItemExample.createdAt,
          updatedAt: listItemExample.updatedAt,
          history: historyExample,
          signal: {
            requestType: 'consultation',
            schoolLocation: '12AB00',
            receivedAt: '2026-11-22T10:00:00.000Z',
            urgency: 'regular',
            concerns: ['behaviour'],
            summary: 'Outbursts in class since the summer; the care team would like advice before acting.',
            pupil: { age: 9, municipality: '0363' },
            contact: { name: 'J. de Vries', role: 'intern begeleider', email: 'ib@school.example' },
          },
        },
      },
    },
  },
  recordReferralEvent: {
    method: 'POST',
    path: '/v1/referrals/{id}/events',
    summary: 'Report what the team did with a referral',
    description: [
      'The lifecycle: `queued → delivered → accepted → started → closed`; `rejected` from queued, delivered or accepted, with a `reason` (shown to the school, never logged or audited). `withdrawn` comes from the school.',
      '',
      'A rejection routes the signal on, in the same step: to `suggestedTeamId` when given (a team of the same municipality), else to the most specific routing rule whose team has not rejected this signal. With no team left the signal becomes `unroutable` (`all-teams-rejected`) and the municipality assigns it (`POST /v1/signals/{id}/assignments`). A signal never has two open referrals to one team. A `503` after a rejection means it is recorded but the next team could not be told yet: report the rejection again.',
      '',
      'Reporting the status the referral already has is a harmless repeat (200, nothing changes), so a consumer may retry after a lost response. Any other transition is a 409.',
    ].join('\n'),
    roles: ['provider'],
    pathParameters: ReferralPath,
    body: {
      schema: ReferralEventInputSchema,
      required: true,
      examples: {
        accepted: { summary: 'The team accepts the referral', value: { type: 'accepted' } },
        rejected: {
          summary: 'The team rejects it, with a reason',
          value: { type: 'rejected', reason: 'The family already receives support from another team.' },
        },
        suggested: {
          summary: 'The team rejects it and suggests a team that fits better',
          value: {
            type: 'rejected',
            reason: 'Safety concerns: the safety team should take this.',
            suggestedTeamId: 'cjg-amsterdam-veiligheid',
          },
        },
      },
    },
    responses: {
      200: { description: 'The referral after the change (no pupil data).', schema: ReferralStateSchema },
    },
    problems: {
      409: 'The lifecycle does not allow this event now.',
      503: 'The rejection is recorded, but the next team could not be notified yet; report it again.',
    },
  },
});

export const TRACK_REFERRAL = declareFunction({
  name: 'track-referral',
  description: 'Teams list and read their referrals and report what they did',
  timeoutSeconds: 15,
  memoryMb: 512,
  environment: [
    'STATE_TABLE_NAME',
    'PUPIL_DATA_KEY_ARN',
    'PUPIL_DATA_KEY',
    'DEPLOYMENT_NAME',
    'SCHAKEL_DEPLOYMENT_CONFIG',
  ],
  // The team queues for the queued notice of a re-route after a rejection.
  access: { stateTable: 'read-write', pupilData: 'open', teamQueues: 'send' },
  // Each signal parked for its municipality: an alarm can watch the count per municipality.
  logMetrics: [
    {
      event: LOG_EVENTS.signalUnroutable,
      metricName: 'SignalsUnroutable',
      dimensions: { Municipality: '$.municipality', Reason: '$.reason' },
    },
  ],
  trigger: { kind: 'api', operations: TRACK_REFERRAL_OPERATIONS },
});
