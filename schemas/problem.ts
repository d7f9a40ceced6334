import * as z from 'zod';

/** RFC 9457 problem details with the NL API Design Rules' `invalidParams` extension. */
export const InvalidParamSchema = z.object({
  name: z.string().meta({
    description:
      'The offending field: a dotted path into the body (`pupil.bsn`), a path or query parameter (`id`, `limit`), a header (`Schakel-User`), or `(body)` for the body as a whole.',
  }),
  reason: z.string().meta({ description: 'What is wrong, as a sentence about the field.' }),
});

export const ProblemSchema = z
  .object({
    type: z.string().optional(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    invalidParams: z.array(InvalidParamSchema).optional(),
    signalId: z.uuid().optional().meta({
      description:
        'With a 409 for a reused `sourceId`: the signal that already has it (see also `Location`).',
    }),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof ProblemSchema>;
export type InvalidParam = z.infer<typeof InvalidParamSchema>;
