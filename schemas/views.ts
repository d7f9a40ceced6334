import * as z from 'zod';
import { SIGNAL_STATUSES } from '../domain/vocabulary.js';
import { DateTimeSchema, IdSchema, MunicipalityCodeSchema, SourceIdSchema } from './common.js';
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

export const SignalAcceptedSchema = z
  .object({
    id: IdSchema,
    status: SignalStatusSchema.meta({
      description: '`received` for a new signal; a repeated submission answers with the current status.',
    }),
  })
  .meta({ id: 'SignalAccepted' });

export const SignalViewSchema = z
  .object({
    id: IdSchema,
    sourceId: SourceIdSchema,
    requestType: z.enum(['referral', 'consultation']),
    schoolLocation: z.string(),
    status: SignalStatusSchema,
    receivedAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
    referrals: z.array(ReferralSummarySchema),
  })
  .meta({ id: 'Signal', description: 'What the school sees: status and the referrals made, no pupil data.' });

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
    signal: z.object({
      requestType: z.enum(['referral', 'consultation']),
      schoolLocation: z.string(),
      receivedAt: DateTimeSchema,
      urgency: ReferralSubmissionSchema.shape.urgency,
      concerns: ReferralSubmissionSchema.shape.concerns,
      summary: z.string(),
      pupil: z.union([IdentifiedPupilSchema, AnonymousPupilSchema]),
      consent: ConsentSchema.optional(),
      contact: ContactSchema,
    }),
  })
  .meta({ id: 'Referral' });

export type ReferralView = z.infer<typeof ReferralViewSchema>;

export const ReferralListItemSchema = ReferralSummarySchema.extend({
  signalId: IdSchema,
  municipality: MunicipalityCodeSchema,
  createdAt: DateTimeSchema,
  urgency: ReferralSubmissionSchema.shape.urgency,
  requestType: z.enum(['referral', 'consultation']),
}).meta({ id: 'ReferralListItem', description: 'A referral in the team’s list: no pupil data.' });

export const ReferralPageSchema = z
  .object({
    items: z.array(ReferralListItemSchema),
    next: z.string().optional().meta({ description: 'Opaque cursor: pass as `cursor` for the next page.' }),
  })
  .meta({ id: 'ReferralPage' });

/** The referral without pupil data, as a status change answers. */
export const ReferralStateSchema = ReferralListItemSchema.extend({
  history: z.array(ReferralHistoryEntrySchema),
}).meta({ id: 'ReferralState' });
