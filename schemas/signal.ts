import * as z from 'zod';
import {
  BsnSchema,
  ConcernsSchema,
  IsoDateSchema,
  MunicipalityCodeSchema,
  OnderwijsnummerSchema,
  PostcodeSchema,
  SchoolLocationSchema,
  SourceIdSchema,
  UrgencySchema,
} from './common.js';

const IDENTIFYING = 'must not be present in a consultation: a consultation never identifies the pupil';
const forbidden = () => z.never({ error: IDENTIFYING }).optional();

export const ContactSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.string().trim().min(1).max(100),
  email: z.email({ error: 'must be an e-mail address' }),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{6,20}$/, { error: 'must be a phone number' })
    .optional(),
});

export const ConsentSchema = z.strictObject({
  parents: z.boolean({ error: 'must be true or false' }),
  pupil: z.boolean({ error: 'must be true or false' }),
  recordedOn: IsoDateSchema.meta({ description: 'Day the school recorded the consent.' }),
});

export const IdentifiedPupilSchema = z
  .strictObject({
    bsn: BsnSchema.optional(),
    onderwijsnummer: OnderwijsnummerSchema.optional(),
    birthDate: IsoDateSchema,
    municipality: MunicipalityCodeSchema,
    postcode: PostcodeSchema,
  })
  .superRefine((pupil, ctx) => {
    if ((pupil.bsn === undefined) === (pupil.onderwijsnummer === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['bsn'],
        message: 'give exactly one of bsn and onderwijsnummer',
      });
    }
  });

export const AnonymousPupilSchema = z.strictObject({
  age: z
    .number({ error: 'must be the pupil’s age in whole years' })
    .int({ error: 'must be the pupil’s age in whole years' })
    .min(0)
    .max(30),
  municipality: MunicipalityCodeSchema,
  bsn: forbidden(),
  onderwijsnummer: forbidden(),
  birthDate: forbidden(),
  postcode: forbidden(),
  name: forbidden(),
  address: forbidden(),
});

const common = {
  sourceId: SourceIdSchema,
  schoolLocation: SchoolLocationSchema,
  concerns: ConcernsSchema,
  urgency: UrgencySchema,
  summary: z.string().trim().min(1, { error: 'must not be empty' }).max(2000),
  contact: ContactSchema,
};

export const ReferralSubmissionSchema = z
  .strictObject({
    ...common,
    requestType: z.literal('referral'),
    pupil: IdentifiedPupilSchema,
    consent: ConsentSchema,
  })
  .meta({ id: 'ReferralSubmission', description: 'Request for support for an identified pupil.' });

export const ConsultationSubmissionSchema = z
  .strictObject({
    ...common,
    requestType: z.literal('consultation'),
    pupil: AnonymousPupilSchema,
    consent: forbidden(),
  })
  .meta({ id: 'ConsultationSubmission', description: 'Advice without identifying the pupil.' });

export const SignalSubmissionSchema = z
  .discriminatedUnion('requestType', [ReferralSubmissionSchema, ConsultationSubmissionSchema], {
    error: 'must be referral or consultation',
  })
  .meta({ id: 'SignalSubmission' });

export type SignalSubmission = z.infer<typeof SignalSubmissionSchema>;
export type ReferralSubmission = z.infer<typeof ReferralSubmissionSchema>;
export type ConsultationSubmission = z.infer<typeof ConsultationSubmissionSchema>;

export const WithdrawInputSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).optional() })
  .meta({ id: 'WithdrawSignal' });
