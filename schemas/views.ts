import * as z from 'zod/mini';
import { SIGNAL_STATUSES } from '../domain/vocabulary.js';
import { DateTimeSchema, IdSchema, MunicipalityCodeSchema, SourceIdSchema, UrgencySchema } from './common.js';
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

export const SignalViewSchema = z
  .object({
    id: IdSchema,
    sourceId: SourceIdSchema,
    requestType: RequestTypeViewSchema,
    schoolLocation: z.string(),
    status: SignalStatusSchema,
    receivedAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
    referrals: z.array(ReferralSummarySchema),
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
