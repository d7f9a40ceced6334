import * as z from 'zod/mini';
import { EMAIL_LIMITS, fitsEmailLimits, isPlausiblePupilAge, PUPIL_AGE } from '../domain/plausibility.js';
import {
  BsnSchema,
  ConcernsSchema,
  exactlyOneIdentifier,
  IdInputSchema,
  IsoDateSchema,
  MunicipalityCodeSchema,
  OnderwijsnummerSchema,
  PostcodeSchema,
  SchoolLocationSchema,
  SourceIdSchema,
  textSchema,
  UrgencySchema,
} from './common.js';

const IDENTIFYING = 'must not be present in a consultation: a consultation never identifies the pupil';
const forbidden = (meta: { format?: string } = {}) =>
  z
    .optional(z.never({ error: IDENTIFYING }))
    .check(z.meta({ description: 'Never allowed in a consultation.', ...meta }));

export const ContactSchema = z.strictObject({
  name: textSchema(200),
  role: textSchema(100),
  email: z.email({ error: 'must be an e-mail address' }).check(
    z.refine(fitsEmailLimits, {
      error: `must be an e-mail address of at most ${EMAIL_LIMITS.address} characters, at most ${EMAIL_LIMITS.localPart} before the @`,
    }),
  ),
  phone: z.optional(z.string().check(z.regex(/^\+?[0-9 ()-]{6,20}$/, { error: 'must be a phone number' }))),
});

export const ConsentSchema = z.strictObject({
  parents: z.boolean({ error: 'must be true or false' }),
  pupil: z.boolean({ error: 'must be true or false' }),
  recordedOn: IsoDateSchema.check(z.meta({ description: 'Day the school recorded the consent.' })),
});

export const IdentifiedPupilSchema = z
  .strictObject({
    bsn: z.optional(BsnSchema),
    onderwijsnummer: z.optional(OnderwijsnummerSchema),
    birthDate: IsoDateSchema,
    municipality: MunicipalityCodeSchema,
    postcode: PostcodeSchema,
  })
  .check(exactlyOneIdentifier());

export const AnonymousPupilSchema = z.strictObject({
  age: z.int({ error: 'must be the pupil’s age in whole years' }).check(
    z.refine(isPlausiblePupilAge, {
      error: `must be an age a pupil can have: ${PUPIL_AGE.min} to ${PUPIL_AGE.max}`,
    }),
    z.meta({ minimum: PUPIL_AGE.min, maximum: PUPIL_AGE.max }),
  ),
  municipality: MunicipalityCodeSchema,
  bsn: forbidden(),
  onderwijsnummer: forbidden(),
  // The format says what the field would be (the API Design Rules ask it of every date field).
  birthDate: forbidden({ format: 'date' }),
  postcode: forbidden(),
  name: forbidden(),
  address: forbidden(),
});

const common = {
  sourceId: SourceIdSchema,
  schoolLocation: SchoolLocationSchema,
  concerns: ConcernsSchema,
  urgency: UrgencySchema,
  summary: textSchema(2000),
  contact: ContactSchema,
};

export const ReferralSubmissionSchema = z
  .strictObject({
    ...common,
    requestType: z.literal('referral'),
    pupil: IdentifiedPupilSchema,
    consent: ConsentSchema,
    discussedInCareTeamOn: z.optional(
      IsoDateSchema.check(
        z.meta({
          description:
            'The day the school’s care team (ZAT) discussed the pupil: the two-week clock of the lead time starts then (else at receipt). Not in the future, not before the birth date.',
        }),
      ),
    ),
    followsConsultation: z.optional(
      IdInputSchema.check(
        z.meta({
          description:
            'The id of a consultation this school sent about the same question: the referral goes to the team that answered it, when that team serves the pupil’s municipality.',
        }),
      ),
    ),
  })
  .register(z.globalRegistry, {
    id: 'ReferralSubmission',
    description: 'Request for support for an identified pupil.',
  });

export const ConsultationSubmissionSchema = z
  .strictObject({
    ...common,
    requestType: z.literal('consultation'),
    pupil: AnonymousPupilSchema,
    consent: forbidden(),
  })
  .register(z.globalRegistry, {
    id: 'ConsultationSubmission',
    description: 'Advice without identifying the pupil.',
  });

/**
 * The fields every submission has, whatever its requestType, and nothing else: what can still be
 * judged of a body whose requestType is missing or unknown (the union then says only that).
 */
export const SubmissionCommonFieldsSchema = z.looseObject(common);

export const SignalSubmissionSchema = z
  .discriminatedUnion('requestType', [ReferralSubmissionSchema, ConsultationSubmissionSchema], {
    error: 'must be referral or consultation',
  })
  .register(z.globalRegistry, { id: 'SignalSubmission' });

export type SignalSubmission = z.infer<typeof SignalSubmissionSchema>;
export type ReferralSubmission = z.infer<typeof ReferralSubmissionSchema>;
export type ConsultationSubmission = z.infer<typeof ConsultationSubmissionSchema>;

export const WithdrawInputSchema = z
  .strictObject({ reason: z.optional(textSchema(500)) })
  .register(z.globalRegistry, { id: 'WithdrawSignal' });
