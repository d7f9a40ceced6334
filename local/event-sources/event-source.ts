// Lambda's event source mappings, played locally: sqs.ts for the intake queue, stream.ts for the
// state table's stream. Both keep Lambda's delivery contract — at least once, partial batch
// responses (ReportBatchItemFailures), retries, an on-failure destination — so handlers are
// exercised locally the way AWS will exercise them. As in Lambda, the SQS mapping invokes up to its
// maximum concurrency of batches at once; the stream mapping one batch at a time per shard.

export interface EventSource {
  stop(): Promise<void>;
}

/** Resolves after `ms`, or at once when `signal` aborts: a stopping poller must not sit out a backoff. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
