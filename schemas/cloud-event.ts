import * as z from 'zod/mini';
import { REQUEST_TYPES } from '../domain/vocabulary.js';
import { ConcernsSchema, DateTimeSchema, IdSchema, MunicipalityCodeSchema, UrgencySchema } from './common.js';
import { TeamIdSchema } from './referral.js';

/** Versioned event types a team receives; a breaking change gets a new `.vN`. */
export const REFERRAL_EVENT_TYPES = [
  'nl.schakel.referral.queued.v1',
  'nl.schakel.referral.withdrawn.v1',
  // Help has not started within the municipality's goal (sent once per referral).
  'nl.schakel.referral.overdue.v1',
] as const;
export type ReferralCloudEventType = (typeof REFERRAL_EVENT_TYPES)[number];

/**
 * CloudEvents 1.0, structured JSON mode. `data` carries only what a team needs to decide to
 * fetch the referral: no pupil identity, no free text. The details are read (and audited)
 * through `GET /v1/referrals/{referralId}`.
 */
export const ReferralCloudEventSchema = z
  .object({
    specversion: z.literal('1.0'),
    id: z
      .string()
      .check(
        z.minLength(1),
        z.meta({ description: 'Stable per referral and event type: use it to deduplicate.' }),
      ),
    source: z.string().check(z.minLength(1)),
    type: z.enum(REFERRAL_EVENT_TYPES),
    subject: IdSchema,
    time: DateTimeSchema,
    datacontenttype: z.literal('application/json'),
    data: z.object({
      referralId: IdSchema,
      signalId: IdSchema,
      teamId: TeamIdSchema,
      municipality: MunicipalityCodeSchema,
      requestType: z.enum(REQUEST_TYPES),
      urgency: UrgencySchema,
      concerns: ConcernsSchema,
      href: z.string().check(z.meta({ description: 'Path of the referral in the API.' })),
    }),
  })
  .register(z.globalRegistry, { id: 'ReferralCloudEvent' });

export type ReferralCloudEvent = z.infer<typeof ReferralCloudEventSchema>;

/** The intake queue's message: a pointer to a stored signal, never its content. */
export const IntakeMessageSchema = z.object({ signalId: IdSchema });
export type IntakeMessage = z.infer<typeof IntakeMessageSchema>;
