import * as z from 'zod/mini';
import { GROUP_BY } from '../../domain/lead-times.js';
import {
  acrossFields,
  CursorQuerySchema,
  DateTimeSchema,
  IdInputSchema,
  IsoDateSchema,
  MunicipalityCodeSchema,
  SchoolLocationSchema,
  SourceIdSchema,
  textSchema,
} from '../../schemas/common.js';
import { TeamIdSchema } from '../../schemas/referral.js';
import {
  AssignmentResultSchema,
  LeadTimesSchema,
  SignalPageSchema,
  SignalStatusSchema,
} from '../../schemas/views.js';
import { declareFunction, operations } from '../shared/declarations.js';
import { leadTimeQueryProblems, signalSearchQueryProblems } from '../shared/scopes.js';

const SignalPath = z.strictObject({ id: IdInputSchema });

/** Moments a store can compare as text: years 0001 to 9999 in UTC (ISO 8601 without a sign). */
const InstantSchema = DateTimeSchema.check(
  z.refine(
    (value) => {
      const year = new Date(value).getUTCFullYear();
      return year >= 1 && year <= 9999;
    },
    { error: 'must be a moment in the years 0001 to 9999 (UTC)' },
  ),
);

/** The days lead times are asked for: this century and the next few, in the Dutch calendar. */
const LEAD_TIME_DAYS = { first: '2000-01-01', last: '2999-12-31' } as const;
const LeadTimeDaySchema = IsoDateSchema.check(
  z.refine((day) => day >= LEAD_TIME_DAYS.first && day <= LEAD_TIME_DAYS.last, {
    error: `must be a day from ${LEAD_TIME_DAYS.first} to ${LEAD_TIME_DAYS.last}`,
  }),
);

const SIGNAL_ID = '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01';
const REFERRAL_ID = '2c9a4b7e-1d3f-8e5a-9b6c-7d8e9f0a1b2c';

const signalItemExample = {
  id: SIGNAL_ID,
  requestType: 'referral',
  schoolLocation: '12AB00',
  municipality: '0553',
  status: 'unroutable',
  unroutableReason: 'no-rule',
  urgency: 'regular',
  concerns: ['absence'],
  referralCount: 0,
  receivedAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:02.000Z',
};

export const SignalSearchQuerySchema = z
  .extend(CursorQuerySchema, {
    status: z.optional(
      SignalStatusSchema.check(
        z.meta({ description: 'Only signals in this status; `unroutable` is the municipality’s work list.' }),
      ),
    ),
    sourceId: z.optional(
      SourceIdSchema.check(z.meta({ description: 'A school: the signal it sent under its own id.' })),
    ),
    schoolLocation: z.optional(
      SchoolLocationSchema.check(
        z.meta({
          description:
            'A school with several locations: which one (required then, unless it looks up a `sourceId`). A municipality: only signals of this school location.',
        }),
      ),
    ),
    municipality: z.optional(
      MunicipalityCodeSchema.check(
        z.meta({ description: 'A municipality client with several codes, or an admin: which municipality.' }),
      ),
    ),
    from: z.optional(InstantSchema.check(z.meta({ description: 'Received at or after this moment.' }))),
    to: z.optional(InstantSchema.check(z.meta({ description: 'Received before this moment.' }))),
  })
  .check(
    acrossFields(['from', 'to'], (query, ctx) => {
      if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
      }
    }),
  );

export const AssignmentInputSchema = z
  .strictObject({
    teamId: TeamIdSchema.check(
      z.meta({
        description: 'A team that serves the pupil’s municipality (by a routing rule or by configuration).',
      }),
    ),
    reason: textSchema(1000).check(
      z.meta({
        description:
          'Why this team: shown to the team and the school with the referral; never written to logs or the audit.',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'Assignment' });

/** Two years: the longest period pupil data is kept, and a bound on what one answer reads. */
const MAX_LEAD_TIME_DAYS = 731;

export const LeadTimeQuerySchema = z
  .strictObject({
    municipality: z.optional(
      MunicipalityCodeSchema.check(
        z.meta({ description: 'Required for an admin and for a municipality client with several codes.' }),
      ),
    ),
    from: LeadTimeDaySchema.check(z.meta({ description: 'First day (Dutch calendar) of the period.' })),
    to: LeadTimeDaySchema.check(z.meta({ description: 'Last day of the period, included.' })),
    groupBy: z
      .enum(GROUP_BY, { error: `must be one of ${GROUP_BY.join(', ')}` })
      .check(z.meta({ description: 'Group the referrals per team, school location, concern or month.' })),
  })
  .check(
    acrossFields(['from', 'to'], (query, ctx) => {
      const days = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000;
      if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      else if (days >= MAX_LEAD_TIME_DAYS) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `must be within ${MAX_LEAD_TIME_DAYS} days of from`,
        });
      }
    }),
  );

export const FOLLOW_SIGNALS_OPERATIONS = operations({
  listSignals: {
    method: 'GET',
    path: '/v1/signals',
    summary: 'Search signals: a school its own, a municipality those of its pupils',
    description: [
      'Newest first, paged with `limit` and `cursor`; filters `status`, `schoolLocation`, `from`, `to` (the moment of receipt).',
      '',
      '- A **school** client sees the signals of its own school location (name it with `schoolLocation` when the client has several) and finds one by its own `sourceId`.',
      '- A **municipality** client sees the signals of pupils living in its municipality (`municipality` when it has several codes); `status=unroutable` is its work list: signals no rule matched (`no-rule`) or every team rejected (`all-teams-rejected`), to assign with `POST /v1/signals/{id}/assignments`. An admin names the municipality.',
      '',
      'No pupil identity and no free text for anyone: ids, statuses, school location, concerns and instants. Signals stored before this operation existed are not found by it (read them by id).',
    ].join('\n'),
    roles: ['school', 'municipality', 'admin'],
    queryRules: (query, { client }) => signalSearchQueryProblems(client, query),
    query: SignalSearchQuerySchema,
    responses: {
      200: {
        description: 'A page of signals.',
        schema: SignalPageSchema,
        example: { items: [signalItemExample] },
      },
    },
  },
  assignSignal: {
    method: 'POST',
    path: '/v1/signals/{id}/assignments',
    summary: 'Assign an unroutable signal to a team',
    description: [
      'The municipality of the pupil gives a signal that no rule or team took to a team it chooses: a signal that is `unroutable`, or whose referrals all ended `rejected`. The team must serve the municipality. A new referral is queued to that team (CloudEvent `nl.schakel.referral.queued.v1`), the signal is `routed` again, and the audit records who assigned it (event type `signal.assigned`; never the reason). The two-week clock keeps its start.',
      '',
      'The same assignment sent again while its referral is still queued answers the same (and notifies the team again); any other signal state is a 409. A signal of another municipality is a 404.',
    ].join('\n'),
    roles: ['municipality', 'admin'],
    pathParameters: SignalPath,
    body: {
      schema: AssignmentInputSchema,
      required: true,
      examples: {
        assign: {
          summary: 'Assign to the local team',
          value: {
            teamId: 'jgt-lisse',
            reason: 'No rule for Lisse yet; the Lisse team takes these for now.',
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The signal and the referral queued to the team.',
        schema: AssignmentResultSchema,
        example: {
          signal: { ...signalItemExample, status: 'routed', unroutableReason: undefined, referralCount: 1 },
          referral: {
            id: REFERRAL_ID,
            signalId: SIGNAL_ID,
            teamId: 'jgt-lisse',
            municipality: '0553',
            status: 'queued',
            requestType: 'referral',
            urgency: 'regular',
            createdAt: '2026-11-23T09:00:00.000Z',
            updatedAt: '2026-11-23T09:00:00.000Z',
            dueAt: '2026-12-06T10:00:00.000Z',
          },
        },
      },
    },
    problems: {
      409: 'The signal is not unroutable and not all its referrals were rejected, or it changed meanwhile.',
      503: 'Assigned, but the team could not be notified yet; send the same assignment again.',
    },
  },
  getLeadTimes: {
    method: 'GET',
    path: '/v1/lead-times',
    summary: 'Lead times against the two-week goal (doorlooptijden)',
    description: [
      'For the referrals (requests for help; not consultations) made for pupils of the municipality from `from` to `to` (Dutch calendar days, both included), grouped per `team`, `school` (location), `concern` (a referral with two concerns counts in both) or `month` (when the clock started):',
      '',
      '- the clock starts on the day the school’s care team discussed the pupil (`discussedInCareTeamOn`), else at receipt; `started` stops it;',
      '- `toAccepted` and `toStarted`: median and 90th percentile (nearest rank) in days, one decimal, over the referrals that got there;',
      '- `withinGoal`: the share that started within the goal, of the referrals started or still waiting past the goal (a referral rejected or withdrawn before starting counts only in `count`);',
      '- `open`: waiting to start; `overdue`: of those, past the goal now;',
      '- `afterConsultation`: referrals that followed a consultation of the same school (`followsConsultation`).',
      '',
      '`goalDays` is the municipality’s goal (default 14 days; `urgentGoalDays` for an urgent signal, default 5). A municipality reads its own codes (another is a 404); an admin names one. No pupil data is read.',
    ].join('\n'),
    roles: ['municipality', 'admin'],
    queryRules: (query, { client }) => leadTimeQueryProblems(client, query),
    query: LeadTimeQuerySchema,
    responses: {
      200: {
        description: 'The figures per group.',
        schema: LeadTimesSchema,
        example: {
          municipality: '0363',
          goalDays: 14,
          urgentGoalDays: 5,
          from: '2026-01-01',
          to: '2026-06-30',
          groupBy: 'team',
          groups: [
            {
              key: 'jgt-amsterdam-centrum',
              count: 41,
              toAccepted: { medianDays: 3.5, p90Days: 8.1 },
              toStarted: { medianDays: 9.2, p90Days: 16.4, withinGoal: 0.82 },
              open: 4,
              overdue: 1,
              afterConsultation: 6,
            },
          ],
        },
      },
    },
  },
});

export const FOLLOW_SIGNALS = declareFunction({
  name: 'follow-signals',
  description: 'Schools and municipalities search signals; municipalities assign and read lead times',
  // A lead-time answer reads up to two years of a municipality's referrals.
  timeoutSeconds: 29,
  memoryMb: 1024,
  environment: ['STATE_TABLE_NAME', 'DEPLOYMENT_NAME', 'SCHAKEL_DEPLOYMENT_CONFIG'],
  access: { stateTable: 'read-write', teamQueues: 'send' },
  trigger: { kind: 'api', operations: FOLLOW_SIGNALS_OPERATIONS },
});
