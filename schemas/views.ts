import * as z from 'zod/mini';
import { GROUP_BY } from '../domain/lead-times.js';
import { SIGNAL_PROGRESS, SIGNAL_STATUSES, UNROUTABLE_REASONS } from '../domain/vocabulary.js';
import {
  ConcernsSchema,
  DateTimeSchema,
  IdSchema,
  IsoDateSchema,
  MunicipalityCodeSchema,
  SourceIdSchema,
  UrgencySchema,
} from './common.js';
import {
  ReferralHistoryEntrySchema,
  ReferralStatusSchema,
  ReferralSummarySchema,
  TeamIdSchema,
} from './referral.js';
import {
  AnonymousPupilSchema,
  ConsentSchema,
  ContactSchema,
  IdentifiedPupilSchema,
  ReferralSubmissionSchema,
} from './signal.js';

export const SignalStatusSchema = z.enum(SIGNAL_STATUSES);
const RequestTypeViewSchema = z.enum(['referral', 'consultation']);
const CursorSchema = z
  .string()
  .check(z.meta({ description: 'Opaque cursor: pass as `cursor` for the next page.' }));

export const SignalAcceptedSchema = z
  .object({
    id: IdSchema,
    status: SignalStatusSchema.check(
      z.meta({
        description: '`received` for a new signal; a repeated submission answers with the current status.',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'SignalAccepted' });

export const UnroutableReasonSchema = z.enum(UNROUTABLE_REASONS).check(
  z.meta({
    description:
      'Why the signal waits for the municipality: `no-rule` (no routing rule of the pupil’s municipality matches it) or `all-teams-rejected` (every team a rule names rejected it).',
  }),
);

const RoutedBySchema = z.enum(['rule', 'suggestion', 'consultation', 'assignment']).check(
  z.meta({
    description:
      'How the team was chosen: a routing rule, the suggestion of a team that rejected the signal, the team that answered the consultation the referral follows, or the municipality’s assignment.',
  }),
);

/** A referral as the school sees it: the team by name, each step with its instant, the outcome. */
export const SignalReferralSchema = z
  .extend(ReferralSummarySchema, {
    teamName: z.optional(z.string().check(z.meta({ description: 'The team’s display name.' }))),
    routedBy: z.optional(RoutedBySchema),
    history: z.optional(
      z
        .array(ReferralHistoryEntrySchema)
        .check(z.meta({ description: 'Every status the referral had, with its instant, oldest first.' })),
    ),
    rejectionReason: z.optional(
      z.string().check(z.meta({ description: 'The team’s reason, when it rejected the referral.' })),
    ),
    dueAt: z.optional(
      DateTimeSchema.check(z.meta({ description: 'Help should have started by then (the lead-time goal).' })),
    ),
    overdue: z.optional(
      z.boolean().check(z.meta({ description: 'Past the goal and not started (escalated).' })),
    ),
  })
  .register(z.globalRegistry, { id: 'SignalReferral' });

export const SignalViewSchema = z
  .object({
    id: IdSchema,
    sourceId: SourceIdSchema,
    requestType: RequestTypeViewSchema,
    schoolLocation: z.string(),
    status: SignalStatusSchema,
    overallStatus: z.optional(
      z.enum(SIGNAL_PROGRESS).check(
        z.meta({
          description:
            'The status that follows the referrals: `received → routed → accepted → in-progress → closed`, or `unroutable`, `withdrawn`. `status` keeps its v1 meaning.',
        }),
      ),
    ),
    unroutableReason: z.optional(UnroutableReasonSchema),
    discussedInCareTeamOn: z.optional(IsoDateSchema),
    followsConsultation: z.optional(IdSchema),
    clockStartAt: z.optional(
      DateTimeSchema.check(
        z.meta({
          description: 'When the two-week clock started: the care-team discussion day, else receipt.',
        }),
      ),
    ),
    receivedAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
    referrals: z.array(SignalReferralSchema),
  })
  .register(z.globalRegistry, {
    id: 'Signal',
    description: 'What the school sees: status and the referrals made, no pupil data.',
  });

export type SignalView = z.infer<typeof SignalViewSchema>;

/** The team's full view of a referral, including the pupil data; every read is audited. */
export const ReferralViewSchema = z
  .object({
    id: IdSchema,
    signalId: IdSchema,
    teamId: TeamIdSchema,
    municipality: MunicipalityCodeSchema,
    status: ReferralStatusSchema,
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
    history: z.array(ReferralHistoryEntrySchema),
    followsConsultation: z.optional(
      IdSchema.check(
        z.meta({
          description: 'The consultation of the same school this referral follows up, when it does.',
        }),
      ),
    ),
    signal: z.object({
      requestType: RequestTypeViewSchema,
      schoolLocation: z.string(),
      receivedAt: DateTimeSchema,
      urgency: UrgencySchema,
      concerns: ReferralSubmissionSchema.shape.concerns,
      summary: z.string(),
      pupil: z.union([IdentifiedPupilSchema, AnonymousPupilSchema]),
      consent: z.optional(ConsentSchema),
      contact: ContactSchema,
    }),
  })
  .register(z.globalRegistry, { id: 'Referral' });

export type ReferralView = z.infer<typeof ReferralViewSchema>;

export const ReferralListItemSchema = z
  .extend(ReferralSummarySchema, {
    signalId: IdSchema,
    municipality: MunicipalityCodeSchema,
    createdAt: DateTimeSchema,
    urgency: UrgencySchema,
    requestType: RequestTypeViewSchema,
    dueAt: z.optional(
      DateTimeSchema.check(z.meta({ description: 'Help should have started by then (the lead-time goal).' })),
    ),
    overdueAt: z.optional(
      DateTimeSchema.check(
        z.meta({ description: 'When escalation found the referral past its goal without having started.' }),
      ),
    ),
  })
  .register(z.globalRegistry, {
    id: 'ReferralListItem',
    description: 'A referral in the team’s list: no pupil data.',
  });

export const ReferralPageSchema = z
  .object({ items: z.array(ReferralListItemSchema), next: z.optional(CursorSchema) })
  .register(z.globalRegistry, { id: 'ReferralPage' });

/** The referral without pupil data, as a status change answers. */
export const ReferralStateSchema = z
  .extend(ReferralListItemSchema, { history: z.array(ReferralHistoryEntrySchema) })
  .register(z.globalRegistry, { id: 'ReferralState' });

/** A signal in a search: no pupil identity, no free text, never the BSN or the summary. */
export const SignalListItemSchema = z
  .object({
    id: IdSchema,
    sourceId: z.optional(
      SourceIdSchema.check(z.meta({ description: 'The school’s own id; only in a school’s search.' })),
    ),
    requestType: RequestTypeViewSchema,
    schoolLocation: z.string(),
    municipality: MunicipalityCodeSchema,
    status: SignalStatusSchema,
    unroutableReason: z.optional(UnroutableReasonSchema),
    urgency: UrgencySchema,
    concerns: ConcernsSchema,
    referralCount: z.int().check(z.gte(0)),
    receivedAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'SignalListItem' });

export const SignalPageSchema = z
  .object({ items: z.array(SignalListItemSchema), next: z.optional(CursorSchema) })
  .register(z.globalRegistry, { id: 'SignalPage' });

const SpreadFields = {
  medianDays: z.nullable(z.number()),
  p90Days: z.nullable(z.number()),
};

export const LeadTimeGroupSchema = z.object({
  key: z
    .string()
    .check(
      z.meta({ description: 'The team id, school location, concern or month (YYYY-MM, Dutch calendar).' }),
    ),
  count: z.int().check(z.meta({ description: 'Referrals in the group.' })),
  toAccepted: z
    .object(SpreadFields)
    .check(z.meta({ description: 'Days from the clock start to `accepted`, over the referrals accepted.' })),
  toStarted: z
    .object({
      ...SpreadFields,
      withinGoal: z.nullable(z.number().check(z.gte(0), z.lte(1))).check(
        z.meta({
          description:
            'Share that started within the goal, of the referrals started or still waiting past the goal.',
        }),
      ),
    })
    .check(z.meta({ description: 'Days from the clock start to `started`, over the referrals started.' })),
  open: z.int().check(z.meta({ description: 'Waiting to start (queued, delivered or accepted).' })),
  overdue: z.int().check(z.meta({ description: 'Of those, past the goal now.' })),
  afterConsultation: z.int().check(
    z.meta({
      description: 'Referrals that followed a consultation of the same school (`followsConsultation`).',
    }),
  ),
});

export const LeadTimesSchema = z
  .object({
    municipality: MunicipalityCodeSchema,
    goalDays: z.int().check(z.meta({ description: 'The municipality’s goal for a regular signal.' })),
    urgentGoalDays: z.int().check(z.meta({ description: 'Its goal for an urgent signal.' })),
    from: IsoDateSchema,
    to: IsoDateSchema,
    groupBy: z.enum(GROUP_BY),
    groups: z.array(LeadTimeGroupSchema),
  })
  .register(z.globalRegistry, { id: 'LeadTimes' });

export type LeadTimesView = z.infer<typeof LeadTimesSchema>;
export type SignalListItem = z.infer<typeof SignalListItemSchema>;

/** The answer to an assignment: the signal, routed again, and the referral queued to the team. */
export const AssignmentResultSchema = z
  .object({ signal: SignalListItemSchema, referral: ReferralListItemSchema })
  .register(z.globalRegistry, { id: 'AssignmentResult' });
