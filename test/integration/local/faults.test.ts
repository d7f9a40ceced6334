import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  GetQueueAttributesCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyChain } from '../../../domain/audit-chain.js';
import { DynamoDbAuditLog } from '../../../functions/shared/adapters/dynamodb-audit-log.js';
import { teamClient } from '../../../local/local-config.js';
import { requireFunction } from '../../../local/runtime/local-function.js';
import { type LocalHub, startLocalHub } from '../../../local/start.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import {
  acceptedId,
  call,
  documentsOf,
  eventually,
  type Outcome,
  recordingLog,
  type StoredState,
  storedState,
  submissionFor,
  submit,
} from './hub-support.js';

// The hub with a dependency really gone: DynamoDB Local's JVM stopped, or fauxqs closed, and
// started again on the same port and data. A client sees 503 with Retry-After (never a 500) and
// its retry with the same sourceId succeeds; every signal ends routed exactly once; the audit
// chain holds every change once and verifies. Failed intake messages come back after the
// visibility timeout, shortened here from the stack's 181 s.

const VISIBILITY_TIMEOUT_SECONDS = 3;

let dataDir: string;
let hub: LocalHub;
const { errors, log } = recordingLog();
let documents: DynamoDBDocumentClient;
let sqs: SQSClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'schakel-faults-'));
  hub = await startLocalHub({
    port: 0,
    dataDir,
    log,
    topology: inject('topology'),
    intakeVisibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
  });
  documents = documentsOf(hub);
  sqs = new SQSClient({
    region: hub.localConfig.region,
    endpoint: hub.localConfig.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // The authorizer's policy is cached (300 s, as API Gateway does): the API key is checked while
  // the table is up, so an outage reaches the function behind the authorizer.
  expect(acceptedId(await submit(hub, submissionFor(hub, `warm-up-${randomUUID()}`)))).toBeDefined();
}, 60_000);

afterAll(async () => {
  documents?.destroy();
  sqs?.destroy();
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function expectServiceUnavailable(outcome: Outcome) {
  expect(outcome).toMatchObject({ kind: 'answer', status: 503, contentType: 'application/problem+json' });
  expect(outcome.kind === 'answer' && Number(outcome.retryAfter)).toBeGreaterThan(0);
}

async function queueCounts(url: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed),
  };
}

/** The state once every signal with one of these sourceIds is routed or unroutable. */
function settled(sourceIds: readonly string[]): Promise<StoredState> {
  return eventually(
    async () => {
      const state = await storedState(hub, documents);
      const mine = state.signals.filter((s) => sourceIds.includes(s.sourceId));
      const done = mine.length >= sourceIds.length && mine.every((s) => s.status !== 'received');
      return done ? state : undefined;
    },
    { what: 'the signals routed', timeoutMs: 25_000 },
  );
}

/** Exactly one signal for the sourceId, routed once (version 2) to exactly one referral. */
function expectRoutedOnce(state: StoredState, sourceId: string) {
  const signals = state.signals.filter((s) => s.sourceId === sourceId);
  expect(signals).toHaveLength(1);
  const [signal] = signals as [StoredState['signals'][number]];
  expect(signal).toMatchObject({ status: 'routed', version: 2 });
  expect(signal.referralIds).toHaveLength(1);
  expect(state.referrals.filter((r) => r.signalId === signal.id)).toHaveLength(1);
  return signal;
}

describe('the local hub when a dependency is unavailable', () => {
  it('answers 503 while the state table is down, and the same request succeeds once it is back', async () => {
    const body = submissionFor(hub, `table-down-${randomUUID()}`);

    let during: Outcome;
    try {
      await hub.emulators.stopDynamoDb();
      during = await submit(hub, body);
    } finally {
      await hub.emulators.startDynamoDb();
    }
    const after = await submit(hub, body);

    expectServiceUnavailable(during);
    expect(after).toMatchObject({ kind: 'answer', status: 202 });
    const signal = expectRoutedOnce(await settled([body.sourceId]), body.sourceId);
    expect(signal.id).toBe(acceptedId(after));
  });

  it('answers 503 while the intake queue is down, and the same request queues the stored signal', async () => {
    const body = submissionFor(hub, `queue-down-${randomUUID()}`);

    let during: Outcome;
    try {
      await hub.emulators.stopSqs();
      during = await submit(hub, body);
    } finally {
      await hub.emulators.startSqs();
    }
    const after = await submit(hub, body);

    expectServiceUnavailable(during);
    expect(after).toMatchObject({ kind: 'answer', status: 202 });
    const signal = expectRoutedOnce(await settled([body.sourceId]), body.sourceId);
    expect(signal.id).toBe(acceptedId(after));
  });

  it('routes a signal once when the table goes down while its intake message is being routed', async () => {
    const intake = hub.resources.intakeQueue.url;
    const body = submissionFor(hub, `route-table-down-${randomUUID()}`);
    // The message waits 3 s after the 202, so the table is down (≈0.4 s) before the router reads it.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: intake, Attributes: { DelaySeconds: '3' } }));
    let accepted: Outcome;
    const errorsBefore = errors.length;
    try {
      try {
        accepted = await submit(hub, body);
        await hub.emulators.stopDynamoDb();
      } finally {
        await sqs.send(
          new SetQueueAttributesCommand({ QueueUrl: intake, Attributes: { DelaySeconds: '0' } }),
        );
      }
      // The router took the message while the table was down...
      await eventually(
        async () => {
          const counts = await queueCounts(intake);
          return counts.delayed === 0 && counts.visible === 0 && counts.inFlight > 0 ? true : undefined;
        },
        { what: 'the intake message received during the outage' },
      );
      // ...and failed on it (the SDK gives up on a refused connection within a second).
      await eventually(() => errors.slice(errorsBefore).find((e) => e.startsWith('route-signal failed')), {
        what: 'routing failing during the outage',
      });
    } finally {
      await hub.emulators.startDynamoDb();
    }

    expect(accepted).toMatchObject({ kind: 'answer', status: 202 });
    const signal = expectRoutedOnce(await settled([body.sourceId]), body.sourceId);
    expect(signal.id).toBe(acceptedId(accepted));
    expect(await queueCounts(hub.resources.intakeDeadLetterQueue.url)).toMatchObject({
      visible: 0,
      inFlight: 0,
    });
  });

  it('audits every change of a burst exactly once, with no version gap, when the table is down longer than the old retry budget', {
    timeout: 150_000,
  }, async () => {
    const municipalities = ['0363', '0534', '0014'];
    const bodies = Array.from({ length: 30 }, (_, i) =>
      submissionFor(hub, `audit-outage-${i}-${randomUUID()}`, municipalities[i % municipalities.length]),
    );
    const answers = await Promise.all(bodies.map((body) => submit(hub, body)));
    const ids = answers.map(acceptedId);
    const routed = await settled(bodies.map((b) => b.sourceId));
    const referrals = routed.referrals.filter((r) => ids.includes(r.signalId));
    // The teams confirm delivery: a burst of changes that reach the audit through the stream only.
    // The table goes down the moment write-audit is handed them, so the batch is in hand for the
    // whole outage: the case in which the former ten retries gave it up.
    const writer = requireFunction(hub.functions, 'write-audit');
    const invoke = writer.invoke;
    let outage: Promise<void> | undefined;
    let confirmed = () => {};
    const allConfirmed = new Promise<void>((resolve) => {
      confirmed = resolve;
    });
    writer.invoke = async (event) => {
      const records = (event as DynamoDBStreamEvent).Records ?? [];
      if (!outage && records.some((r) => r.dynamodb?.NewImage?.status?.S === 'delivered')) {
        // Every confirmation is stored first; then the table goes, under this batch.
        outage = allConfirmed.then(() => hub.emulators.stopDynamoDb());
        await outage;
      }
      return invoke.call(writer, event);
    };
    const errorsBefore = errors.length;
    let errorsDuringOutage: string[];
    let confirmations: Outcome[];
    try {
      confirmations = await Promise.all(
        referrals.map((r) =>
          call(
            hub,
            'POST',
            `/v1/referrals/${r.id}/events`,
            { type: 'delivered' },
            teamClient(hub.localConfig, r.teamId).apiKey,
          ),
        ),
      );
      confirmed();
      await eventually(() => (outage ? true : undefined), {
        what: 'write-audit handed the confirmations',
        timeoutMs: 20_000,
      });
      await outage;
      // Longer than the ten retries (about 15 s) after which the audit writer used to give a batch up.
      await new Promise((r) => setTimeout(r, 30_000));
      errorsDuringOutage = errors.slice(errorsBefore);
    } finally {
      writer.invoke = invoke;
      await hub.emulators.startDynamoDb();
    }

    // Every version of every signal and referral of the burst, as the table holds them now.
    const state = await storedState(hub, documents);
    const versions = (prefix: string, items: { id: string; version: number }[]) =>
      items.flatMap((item) =>
        Array.from({ length: item.version }, (_, v) => `${prefix}#${item.id}#v${v + 1}`),
      );
    const expected = [
      ...versions(
        'SIGNAL',
        state.signals.filter((s) => ids.includes(s.id)),
      ),
      ...versions(
        'REFERRAL',
        state.referrals.filter((r) => ids.includes(r.signalId)),
      ),
    ];
    const audit = new DynamoDbAuditLog(documents, hub.resources.auditTable.name);
    const chains = await eventually(
      async () => {
        const read = await Promise.all(municipalities.map((m) => wholeChain(audit, m)));
        const audited = read.flat().map((e) => e.id);
        return expected.every((id) => audited.includes(id)) ? read : undefined;
      },
      { what: 'every change audited', timeoutMs: 40_000 },
    );

    expect(answers.map((a) => (a.kind === 'answer' ? a.status : a.code))).toEqual(Array(30).fill(202));
    const routedSignals = routed.signals.filter((s) => ids.includes(s.id) && s.status === 'routed');
    expect(referrals).toHaveLength(routedSignals.length);
    expect(referrals.length).toBeGreaterThan(0);
    expect(confirmations.map((c) => (c.kind === 'answer' ? c.status : c.code))).toEqual(
      referrals.map(() => 200),
    );
    // The audit writer failed on the batch in hand past the former limit of ten retries, and gave
    // nothing up.
    expect(errorsDuringOutage).toContainEqual(
      expect.stringMatching(/^write-audit failed on stream records of .*; retry (1[1-9]|[2-9]\d)$/),
    );
    for (const queue of [
      hub.resources.auditStreamDeadLetterQueue,
      hub.resources.auditRecoveryDeadLetterQueue,
    ]) {
      expect(await queueCounts(queue.url)).toMatchObject({ visible: 0, inFlight: 0 });
    }
    const auditedIds = chains.flat().map((e) => e.id);
    for (const id of expected) expect(auditedIds.filter((a) => a === id)).toHaveLength(1);
    expect(new Set(auditedIds).size).toBe(auditedIds.length);
    // verifyChain also checks that no signal or referral misses a version between two recorded ones.
    for (const chain of chains) expect(verifyChain(chain)).toMatchObject({ valid: true });
    expect(chains.flat().filter((e) => e.recovery)).toEqual([]);
  });
});

describe('the local hub’s audit recovery queue', () => {
  it('is read by recover-audit, as the stream mapping’s on-failure destination is in AWS', {
    timeout: 60_000,
  }, async () => {
    const body = submissionFor(hub, `recovery-${randomUUID()}`);
    const id = acceptedId(await submit(hub, body));
    await settled([body.sourceId]);
    const audit = new DynamoDbAuditLog(documents, hub.resources.auditTable.name);
    await eventually(
      async () =>
        (await wholeChain(audit, '0363')).some((e) => e.id === `SIGNAL#${id}#v2`) ? true : undefined,
      { what: 'the signal audited', timeoutMs: 20_000 },
    );
    // A batch as Lambda describes one it gave up on: here the signal's own records, already audited.
    const streams = new DynamoDBStreamsClient({
      region: hub.localConfig.region,
      endpoint: hub.localConfig.dynamodbEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const streamArn = hub.resources.stateTable.streamArn;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const ours: { shardId: string; sequence: string }[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      for (let empty = 0; iterator && empty < 3; ) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        empty = page.Records?.length ? 0 : empty + 1;
        for (const r of page.Records ?? []) {
          if (r.dynamodb?.Keys?.pk?.S === `SIGNAL#${id}`)
            ours.push({ shardId: shard.ShardId as string, sequence: r.dynamodb.SequenceNumber as string });
        }
        iterator = page.NextShardIterator;
      }
    }
    streams.destroy();
    const before = await wholeChain(audit, '0363');
    const at = new Date().toISOString();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: hub.resources.auditStreamDeadLetterQueue.url,
        MessageBody: JSON.stringify({
          requestContext: { condition: 'RecordAgeExceeded', approximateInvokeCount: 1 },
          DDBStreamBatchInfo: {
            shardId: ours[0]?.shardId,
            startSequenceNumber: ours[0]?.sequence,
            endSequenceNumber: ours.at(-1)?.sequence,
            approximateArrivalOfFirstRecord: at,
            approximateArrivalOfLastRecord: at,
            batchSize: ours.length,
            streamArn,
          },
        }),
      }),
    );

    await eventually(
      async () => {
        const counts = await queueCounts(hub.resources.auditStreamDeadLetterQueue.url);
        return counts.visible + counts.inFlight === 0 ? true : undefined;
      },
      { what: 'the recovery queue drained', timeoutMs: 20_000 },
    );
    expect(ours.length).toBe(2);
    expect(await queueCounts(hub.resources.auditRecoveryDeadLetterQueue.url)).toMatchObject({ visible: 0 });
    // Both changes were in the audit already: recovered, they are recognised, not appended twice.
    expect(await wholeChain(audit, '0363')).toEqual(before);
  });
});

async function wholeChain(audit: DynamoDbAuditLog, municipality: string): Promise<AuditEvent[]> {
  const entries: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await audit.list({ municipality, limit: 100, cursor });
    entries.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return entries;
}
