import { z } from 'zod';

/** RFC 9457 problem details with the NL API Design Rules' `invalidParams` extension. */
export const InvalidParamSchema = z.object({
  name: z.string().meta({ description: 'Dotted path of the offending field, e.g. `pupil.bsn`.' }),
  reason: z.string(),
});

export const ProblemSchema = z
  .object({
    type: z.string().optional(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    invalidParams: z.array(InvalidParamSchema).optional(),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof ProblemSchema>;
export type InvalidParam = z.infer<typeof InvalidParamSchema>;
