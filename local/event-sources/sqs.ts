import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';
import { count, type LocalLog } from '../local-log.js';
import type { LocalFunction } from '../runtime/local-function.js';
import type { QueueMappingSettings } from '../topology/model.js';
import type { ProvisionedQueue } from '../topology/provision.js';
import { interpretBatchResponse } from './batch-response.js';
import { abortableSleep, type EventSource } from './event-source.js';
import { toSqsRecord } from './sqs-record.js';

// Lambda's SQS event source mapping, played by sqs-consumer: long polls of 20 s, one invocation
// per received batch, and only the messages the function did not report as failed are deleted. A
// function error or an unreadable batch response deletes nothing: the whole batch returns after
// the queue's visibility timeout and, after maxReceiveCount receives, goes to the dead-letter queue.
//
// Lambda scales an SQS mapping out: several batches are invoked at once, up to the mapping's
// ScalingConfig.MaximumConcurrency. Here that is as many sqs-consumer pollers on the queue, each
// receiving and invoking one batch at a time, so at most maxConcurrency batches are in flight. They
// share one warm handler, where Lambda would give each its own execution environment: the handler
// must keep no batch state between invocations (route-signal's handler.ts says why).
//
// What sqs-consumer cannot play: a batch is what one ReceiveMessage returns, so a BatchSize over
// 10 is read as 10 and MaximumBatchingWindowInSeconds is not honoured — the function gets smaller
// batches sooner than in AWS. Each record succeeds or fails on its own (ReportBatchItemFailures),
// so that changes latency and batch sizes, not what ends up routed.

/** SQS's maximum per ReceiveMessage, and so per sqs-consumer batch. */
const MAX_MESSAGES_PER_RECEIVE = 10;
/** How long a poller pauses after a failed receive, so an unreachable fauxqs does not spin. */
const RECEIVE_RETRY_MS = 1000;

export interface SqsEventSourceOptions {
  /** With an explicit endpoint and `useQueueUrlAsEndpoint: false`: fauxqs queue URLs name a host that does not resolve. */
  sqs: SQSClient;
  queue: ProvisionedQueue;
  region: string;
  settings: QueueMappingSettings;
  target: LocalFunction;
  log: LocalLog;
}

export function startSqsEventSource(options: SqsEventSourceOptions): EventSource {
  const { maxConcurrency } = options.settings;
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)
    throw new RangeError(`maxConcurrency must be a positive integer, not ${maxConcurrency}`);
  const stopping = new AbortController();
  // Whether receiving fails, for all pollers: an outage is logged once, not by each poller each second.
  const receiving = { failing: false };
  const pollers = Array.from({ length: maxConcurrency }, () =>
    startPoller(options, stopping.signal, receiving),
  );

  return {
    async stop() {
      stopping.abort();
      await Promise.all(pollers.map((poller) => poller.inFlight()));
      // Only now abort: sqs-consumer's one abort signal would also cancel a batch's deletions.
      for (const { consumer } of pollers) consumer.stop({ abort: true });
      // The cancelled long polls settle a moment later; the caller destroys the SQS client after.
      // (sqs-consumer's own wait, pollingCompleteWaitTimeMs, checks once a second.)
      const deadline = Date.now() + 5000;
      while (pollers.some(({ consumer }) => consumer.status.isPolling) && Date.now() < deadline)
        await sleep(10);
    },
  };
}

/** Invokes the function once for the batch; answers the messages to delete. */
async function invoke(options: SqsEventSourceOptions, messages: Message[]): Promise<Message[]> {
  const { queue, region, settings, target, log } = options;
  log.info(`${queue.name} → ${target.name}: ${count(messages.length, 'message')}`);
  const records = messages.map((m) => toSqsRecord(m, queue, region));
  const event: SQSEvent = { Records: records };
  let response: unknown;
  try {
    response = await target.invoke(event);
  } catch (error) {
    log.error(
      `${target.name} failed on a batch of ${records.length}; it returns after the visibility timeout`,
      error,
    );
    return [];
  }
  const outcome = interpretBatchResponse(
    response,
    records.map((r) => r.messageId),
    settings.reportBatchItemFailures,
  );
  if (outcome.kind === 'failed') {
    log.error(`${target.name} named unknown batch items; the whole batch counts as failed`);
    return [];
  }
  const failed = new Set(outcome.kind === 'partial' ? outcome.failedIds : []);
  if (failed.size > 0)
    log.info(`${target.name}: ${failed.size} of ${records.length} messages left for retry`);
  return messages.filter((m) => !failed.has(m.MessageId ?? ''));
}

/** One poller: receives a batch, invokes the function, deletes what succeeded, receives again. */
function startPoller(options: SqsEventSourceOptions, stopping: AbortSignal, receiving: { failing: boolean }) {
  const { sqs, queue, settings, target, log } = options;
  let receiveFailed = false;
  // The batch being invoked and deleted; stop() waits for it.
  let inFlight: Promise<void> = Promise.resolve();
  let settleInFlight: (() => void) | undefined;

  const consumer = Consumer.create({
    queueUrl: queue.url,
    sqs,
    batchSize: Math.min(MAX_MESSAGES_PER_RECEIVE, Math.max(1, settings.batchSize)),
    waitTimeSeconds: 20,
    messageSystemAttributeNames: ['All'],
    messageAttributeNames: ['All'],
    // Lambda never releases a failed batch early: it lets the visibility timeout run out. Releasing
    // with ChangeMessageVisibility 0 would also lose the message in fauxqs 2.4.1. No heartbeat
    // either: Lambda does not extend the visibility of a batch in progress.
    terminateVisibilityTimeout: false,
    strictReturn: true,
    preReceiveMessageCallback: async () => {
      if (receiveFailed) await abortableSleep(RECEIVE_RETRY_MS, stopping);
    },
    postReceiveMessageCallback: async () => {
      receiveFailed = false;
      if (receiving.failing) log.info(`${target.name}: receiving from ${queue.name} again`);
      receiving.failing = false;
    },
    handleMessageBatch: async (messages) => {
      // Received in the moment stop() began: left alone, they return after the visibility timeout.
      if (stopping.aborted) return [];
      inFlight = new Promise((resolve) => {
        settleInFlight = resolve;
      });
      return invoke(options, messages);
    },
  });
  // Emitted after every batch, once its deletions are done or have failed.
  consumer.on('response_processed', () => {
    settleInFlight?.();
    settleInFlight = undefined;
  });
  consumer.on('error', (error, messages) => {
    if (messages === undefined) {
      // The long poll cancelled by stop() is no failure.
      if (stopping.aborted) return;
      receiveFailed = true;
      if (!receiving.failing) log.error(`${target.name}: receiving from ${queue.name} failed`, error);
      receiving.failing = true;
    } else {
      // Deleting failed (or, unforeseen, the batch handling itself): nothing is released early, so
      // the undeleted messages return after the visibility timeout.
      log.error(
        `${target.name}: a batch from ${queue.name} was not completed; what was not deleted returns later`,
        error,
      );
    }
  });
  consumer.start();
  return { consumer, inFlight: () => inFlight };
}
