import * as z from 'zod/mini';
import { AuditEventSchema } from './audit-event.js';
import {
  BsnSchema,
  CursorQuerySchema,
  exactlyOneIdentifier,
  MunicipalityCodeSchema,
  OnderwijsnummerSchema,
  pageOf,
} from './common.js';

// A subject access request (AVG art. 15, NEN 7513 §5.3): which audit events concern one pupil.
// The identifier travels only in the body of a POST — never in a URI — and the hub turns it into
// the pupil's pseudonym with its own key; the answer names the pseudonym, never the identifier.

const PAGE_SIZE = 'must be a whole number from 1 to 100';

export const SubjectPupilSchema = z
  .strictObject({
    bsn: z.optional(BsnSchema),
    onderwijsnummer: z.optional(OnderwijsnummerSchema),
  })
  .check(exactlyOneIdentifier());

export const SubjectAccessRequestSchema = z
  .strictObject({
    municipality: MunicipalityCodeSchema.check(
      z.meta({ description: 'The municipality whose trail to search (where the pupil lives).' }),
    ),
    pupil: SubjectPupilSchema,
    limit: z._default(
      // A JSON number, never coerced from a string: the body is typed JSON.
      z
        .number({ error: PAGE_SIZE })
        .check(
          z.refine(Number.isInteger, { error: PAGE_SIZE }),
          z.gte(1, { error: PAGE_SIZE }),
          z.lte(100, { error: PAGE_SIZE }),
          z.meta({ type: 'integer', description: 'Events per page, 1 to 100 (default 50).' }),
        ),
      50,
    ),
    cursor: CursorQuerySchema.shape.cursor,
  })
  .register(z.globalRegistry, { id: 'SubjectAccessRequest' });
export type SubjectAccessRequest = z.infer<typeof SubjectAccessRequestSchema>;

export const SubjectAccessAnswerSchema = z
  .extend(pageOf(AuditEventSchema), {
    municipality: MunicipalityCodeSchema,
    pupilPseudonym: z.string().check(
      z.meta({
        description:
          'The pupil’s pseudonym in this trail (`object.pupilPseudonym` of each event): the hub’s keyed hash of the identifier, never the identifier itself.',
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'SubjectAccessAnswer' });
export type SubjectAccessAnswer = z.infer<typeof SubjectAccessAnswerSchema>;
