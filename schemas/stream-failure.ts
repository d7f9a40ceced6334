import * as z from 'zod/mini';

// What Lambda sends to a stream event source mapping's on-failure destination for each batch it
// gives up on (AWS Lambda developer guide, "Retaining discarded batches for a DynamoDB event
// source"): where the batch lies in the stream, never the records themselves.

export const StreamBatchFailureSchema = z.looseObject({
  requestContext: z.looseObject({
    /** `RecordAgeExceeded`, `RetryAttemptsExhausted`, `EventSizeExceeded`, … */
    condition: z.string(),
    approximateInvokeCount: z.optional(z.number()),
  }),
  DDBStreamBatchInfo: z.looseObject({
    shardId: z.string().check(z.minLength(1)),
    startSequenceNumber: z.string().check(z.regex(/^\d+$/)),
    endSequenceNumber: z.string().check(z.regex(/^\d+$/)),
    approximateArrivalOfFirstRecord: z.iso.datetime({ offset: true }),
    approximateArrivalOfLastRecord: z.iso.datetime({ offset: true }),
    batchSize: z.number(),
    streamArn: z.string().check(z.minLength(1)),
  }),
});

export type StreamBatchFailure = z.infer<typeof StreamBatchFailureSchema>;
