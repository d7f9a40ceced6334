import * as z from 'zod/mini';
import { MAX_BATCH_ITEMS } from './api.js';
import { ProblemSchema } from './problem.js';
import { SignalSubmissionSchema } from './signal.js';
import { SignalAcceptedSchema } from './views.js';

// A backlog submission (`POST /v1/signal-batches`) and its answer: one result per item, by index,
// each what `POST /v1/signals` would have answered for that item alone.

const SIGNAL_SUBMISSION_REF = `#/components/schemas/${z.globalRegistry.get(SignalSubmissionSchema)?.id}`;

/**
 * One signal of a batch. The request's own validation takes any value here: each item is judged
 * on its own against SignalSubmissionSchema (as `POST /v1/signals` judges its body), so one bad
 * item never refuses the others. The document shows what each item must be.
 */
const BatchItemSchema = z.unknown().check(z.meta({ override: { $ref: SIGNAL_SUBMISSION_REF } }));

export const SignalBatchSchema = z
  .strictObject({
    signals: z
      .array(BatchItemSchema)
      .check(
        z.minLength(1),
        z.maxLength(MAX_BATCH_ITEMS),
        z.meta({ description: `1 to ${MAX_BATCH_ITEMS} signals, each a body of \`POST /v1/signals\`.` }),
      ),
  })
  .register(z.globalRegistry, { id: 'SignalBatch' });

export type SignalBatch = z.infer<typeof SignalBatchSchema>;

const IndexSchema = z
  .int()
  .check(
    z.minimum(0),
    z.maximum(MAX_BATCH_ITEMS - 1),
    z.meta({ description: 'Position of the item in `signals`, from 0.' }),
  );
const LocationSchema = z.string().check(
  z.meta({
    description: 'Path of the signal: the `Location` header `POST /v1/signals` would have sent.',
    example: '/v1/signals/5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
  }),
);

const AcceptedItemSchema = z
  .object({
    index: IndexSchema,
    status: z.literal(202).check(z.meta({ description: 'Accepted, as `POST /v1/signals` answers.' })),
    location: LocationSchema,
    signal: SignalAcceptedSchema,
  })
  .register(z.globalRegistry, {
    id: 'SignalBatchItemAccepted',
    description:
      'A new signal, or a repeated one (same `sourceId`, same content) with its id and current status.',
  });

const RefusedItemSchema = z
  .object({
    index: IndexSchema,
    status: z.int().check(
      z.minimum(400),
      z.maximum(599),
      z.meta({
        description:
          'The status `POST /v1/signals` would have answered: 400, 403, 409, or 503/500 (send the item again).',
      }),
    ),
    location: z.optional(LocationSchema.check(z.meta({ description: 'With a 409: the existing signal.' }))),
    problem: ProblemSchema,
  })
  .register(z.globalRegistry, {
    id: 'SignalBatchItemRefused',
    description: 'The problem `POST /v1/signals` would have answered for this item alone.',
  });

export const SignalBatchItemResultSchema = z.union([AcceptedItemSchema, RefusedItemSchema]);
export type SignalBatchItemResult = z.infer<typeof SignalBatchItemResultSchema>;

export const SignalBatchResultSchema = z
  .object({
    results: z
      .array(SignalBatchItemResultSchema)
      .check(z.meta({ description: 'One result per item of `signals`, in the same order.' })),
  })
  .register(z.globalRegistry, { id: 'SignalBatchResult' });

export type SignalBatchResult = z.infer<typeof SignalBatchResultSchema>;
