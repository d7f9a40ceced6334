import * as z from 'zod/mini';

/** RFC 9457 problem details with the NL API Design Rules' `invalidParams` extension. */
export const InvalidParamSchema = z.object({
  name: z.string().check(
    z.meta({
      description:
        'The offending field: a dotted path into the body (`pupil.bsn`), a path or query parameter (`id`, `limit`), a header (`Schakel-User`), or `(body)` for the body as a whole.',
    }),
  ),
  reason: z.string().check(z.meta({ description: 'What is wrong, as a sentence about the field.' })),
});

export const ProblemSchema = z
  .object({
    type: z.optional(z.string()),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.optional(z.string()),
    invalidParams: z.optional(z.array(InvalidParamSchema)),
    signalId: z.optional(
      z.uuid().check(
        z.meta({
          description:
            'With a 409 for a reused `sourceId`: the signal that already has it (see also `Location`).',
        }),
      ),
    ),
    reason: z.optional(
      z.enum(['retention', 'withdrawn']).check(
        z.meta({
          description:
            'With a 410: why the pupil data is gone — `retention` (its retention period passed) or `withdrawn` (the school withdrew the signal; withdrawal ends the team’s access).',
        }),
      ),
    ),
  })
  .register(z.globalRegistry, { id: 'Problem' });

export type Problem = z.infer<typeof ProblemSchema>;
export type InvalidParam = z.infer<typeof InvalidParamSchema>;
