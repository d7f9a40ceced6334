import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Emulators, startEmulators } from '../../../local/emulators/emulators.js';
import { startSqsEventSource } from '../../../local/event-sources/sqs.js';
import { startStreamEventSource } from '../../../local/event-sources/stream.js';
import type { LocalFunction } from '../../../local/runtime/local-function.js';
import type { QueueMappingSettings, Topology } from '../../../local/topology/model.js';
import { type ProvisionedTopology, provisionTopology } from '../../../local/topology/provision.js';

// Local mode's own machinery against DynamoDB Local and fauxqs: the CDK app's topology created
// idempotently and kept across restarts, and the two event source mappings with Lambda's
// delivery rules. Own emulators with a data dir, so a restart can be tested.

const silent = { info: () => undefined, error: () => undefined };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dataDir: string;
let emulators: Emulators;
let topology: Topology;
let resources: ProvisionedTopology;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;

function clients() {
  dynamodb = new DynamoDBClient({
    region: emulators.region,
    endpoint: emulators.dynamodbEndpoint,
    credentials,
  });
  sqs = new SQSClient({
    region: emulators.region,
    endpoint: emulators.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
    credentials,
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'schakel-local-runtime-'));
  topology = inject('topology');
  emulators = await startEmulators({ dataDir });
  clients();
  resources = await provisionTopology(topology, emulators, () => undefined);
});

afterAll(async () => {
  dynamodb?.destroy();
  sqs?.destroy();
  await emulators?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function fakeFunction(
  name: 'route-signal' | 'write-audit',
  invoke: (event: unknown) => Promise<unknown>,
): LocalFunction {
  return { name, arn: `arn:aws:lambda:eu-west-1:000000000000:function:${name}`, invoke };
}

async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The intake mapping as the SQS event source reads it: batches of 10, one at a time, unless overridden. */
const intakeSettings = (overrides: Partial<QueueMappingSettings> = {}): QueueMappingSettings => ({
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  reportBatchItemFailures: true,
  maxConcurrency: 1,
  ...overrides,
});

const putState = (pk: string) =>
  dynamodb.send(
    new PutItemCommand({
      TableName: resources.stateTable.name,
      Item: { pk: { S: pk }, sk: { S: 'X' }, bytes: { B: new Uint8Array([1, 2]) }, scope: { M: {} } },
    }),
  );

describe('provisionTopology', () => {
  it('creates every tagged table and queue of the CDK app, with the redrive policies', async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: resources.intakeQueue.url, AttributeNames: ['All'] }),
    );

    expect(resources.stateTable.streamArn).toMatch(/stream/);
    expect([...resources.teamQueues.keys()].sort()).toEqual([
      'cjg-amsterdam-veiligheid',
      'jgt-amsterdam-centrum',
      'jgt-hillegom',
      'jgt-lisse',
    ]);
    expect(resources.teamQueues.get('jgt-hillegom')?.name).toBe('schakel-demo-team-jgt-hillegom');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({
      deadLetterTargetArn: resources.intakeDeadLetterQueue.arn,
    });
  });

  it('keeps tables, queues and their data when provisioned again after a restart', async () => {
    await putState('KEEP#1');
    await sqs.send(
      new SendMessageCommand({ QueueUrl: resources.intakeDeadLetterQueue.url, MessageBody: 'kept' }),
    );

    dynamodb.destroy();
    sqs.destroy();
    await emulators.stop();
    emulators = await startEmulators({ dataDir });
    clients();
    const again = await provisionTopology(topology, emulators, () => undefined);

    const item = await dynamodb.send(
      new GetItemCommand({ TableName: again.stateTable.name, Key: { pk: { S: 'KEEP#1' }, sk: { S: 'X' } } }),
    );
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: again.intakeDeadLetterQueue.url, WaitTimeSeconds: 1 }),
    );
    expect(item.Item?.pk?.S).toBe('KEEP#1');
    expect(Messages?.map((m) => m.Body)).toEqual(['kept']);
    expect(again.stateTable.streamArn).toBe(resources.stateTable.streamArn);
    resources = again;
  });

  it('adds an index the stack added since to a table of an older data dir, keeping its data, and says so', async () => {
    const withName = (name: string, indexes: boolean): Topology => ({
      ...topology,
      tables: topology.tables.map((t) => {
        if (t.kind !== 'audit-table') return t;
        if (indexes) return { ...t, create: { ...t.create, TableName: name } };
        // As the table was before the index: no index, no definitions of its key attributes.
        const { GlobalSecondaryIndexes: _none, ...create } = t.create;
        const keys = new Set(create.KeySchema?.map((k) => k.AttributeName));
        const definitions = create.AttributeDefinitions?.filter((d) => keys.has(d.AttributeName as string));
        return { ...t, create: { ...create, TableName: name, AttributeDefinitions: definitions } };
      }),
    });
    const name = 'schakel-local-audit-older';
    const older = await provisionTopology(withName(name, false), emulators, () => undefined);
    await dynamodb.send(
      new PutItemCommand({ TableName: older.auditTable.name, Item: { pk: { S: 'KEEP#2' }, sk: { S: 'X' } } }),
    );
    const warnings: string[] = [];

    await provisionTopology(withName(name, true), emulators, (line) => warnings.push(line));

    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    const wanted = topology.tables.find((t) => t.kind === 'audit-table')?.create.GlobalSecondaryIndexes ?? [];
    expect(wanted.length).toBeGreaterThan(0);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      wanted.map((i) => i.IndexName).sort(),
    );
    expect(warnings).toEqual(
      wanted.map((i) => expect.stringContaining(`added index ${i.IndexName} to ${name}`)),
    );
    const kept = await dynamodb.send(
      new GetItemCommand({ TableName: name, Key: { pk: { S: 'KEEP#2' }, sk: { S: 'X' } } }),
    );
    expect(kept.Item?.pk?.S).toBe('KEEP#2');
  });
});

describe('startSqsEventSource', () => {
  it('deletes what succeeded and hands a reported failure back with a higher receive count', async () => {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'local-runtime-sqs', Attributes: { VisibilityTimeout: '1' } }),
    );
    const queue = {
      name: 'local-runtime-sqs',
      url: QueueUrl as string,
      arn: 'arn:aws:sqs:eu-west-1:000000000000:local-runtime-sqs',
    };
    const events: SQSEvent[] = [];
    const source = startSqsEventSource({
      sqs,
      queue,
      region: emulators.region,
      settings: intakeSettings(),
      target: fakeFunction('route-signal', async (event) => {
        const batch = event as SQSEvent;
        events.push(batch);
        const retry = batch.Records.find(
          (r) => r.body === 'retry' && r.attributes.ApproximateReceiveCount === '1',
        );
        return { batchItemFailures: retry ? [{ itemIdentifier: retry.messageId }] : [] };
      }),
      log: silent,
    });
    try {
      for (const body of ['ok-1', 'retry', 'ok-2'])
        await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));

      const second = await eventually(() =>
        events
          .flatMap((e) => e.Records)
          .find((r) => r.body === 'retry' && r.attributes.ApproximateReceiveCount === '2'),
      );

      expect(second).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: emulators.region,
      });
      const bodies = events.flatMap((e) => e.Records.map((r) => r.body)).sort();
      expect(bodies).toEqual(['ok-1', 'ok-2', 'retry', 'retry']);
    } finally {
      await source.stop();
    }
  });
});

describe('startSqsEventSource: batches at once, failures, stopping', () => {
  let queueCount = 0;
  /** A queue of its own per test, with a visibility timeout of 1 s so redelivery comes soon. */
  async function freshQueue() {
    queueCount += 1;
    const name = `local-runtime-sqs-${queueCount}`;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '1' } }),
    );
    return { name, url: QueueUrl as string, arn: `arn:aws:sqs:eu-west-1:000000000000:${name}` };
  }

  /** An SQS client of the event source's own that records every command it sends. */
  function recordingClient(commands: string[]): SQSClient {
    const client = new SQSClient({
      region: emulators.region,
      endpoint: emulators.sqsEndpoint,
      useQueueUrlAsEndpoint: false,
      credentials,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName as string);
        return next(args);
      },
      { step: 'initialize' },
    );
    return client;
  }

  const messagesLeft = async (url: string) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  };

  it.each<[string, (batch: SQSEvent) => Promise<unknown>]>([
    [
      'the function fails',
      async () => {
        throw new Error('down');
      },
    ],
    [
      'the response names an item not in the batch',
      async () => ({ batchItemFailures: [{ itemIdentifier: 'x' }] }),
    ],
  ])(
    'redelivers the whole batch after the visibility timeout when %s, never releasing it early',
    async (_, fail) => {
      const queue = await freshQueue();
      const commands: string[] = [];
      const client = recordingClient(commands);
      const seen: { body: string; receiveCount: string; at: number }[] = [];
      const source = startSqsEventSource({
        sqs: client,
        queue,
        region: emulators.region,
        settings: intakeSettings(),
        target: fakeFunction('route-signal', async (event) => {
          const batch = event as SQSEvent;
          const at = Date.now();
          for (const { body, attributes } of batch.Records)
            seen.push({ body, receiveCount: attributes.ApproximateReceiveCount, at });
          // Every first delivery fails, whichever way the messages are batched.
          return batch.Records.some((r) => r.attributes.ApproximateReceiveCount === '1') ? fail(batch) : {};
        }),
        log: silent,
      });
      try {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: ['a', 'b'].map((body) => ({ Id: body, MessageBody: body })),
          }),
        );

        await eventually(async () => ((await messagesLeft(queue.url)) === 0 ? true : undefined));
      } finally {
        await source.stop();
        client.destroy();
      }

      for (const body of ['a', 'b']) {
        const [first, second, ...more] = seen.filter((d) => d.body === body);
        expect([first?.receiveCount, second?.receiveCount, more.length]).toEqual(['1', '2', 0]);
        expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
      }
      expect(commands.filter((c) => c.startsWith('ChangeMessageVisibility'))).toEqual([]);
    },
  );

  /**
   * An event source on a fresh queue with batches of one message, up to `maxConcurrency` at once,
   * for a function whose invocations wait until `open()` (once opened they pass at once), counting
   * how many run at the same moment.
   */
  async function gatedSource(maxConcurrency: number) {
    const queue = await freshQueue();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const counts = { started: 0, running: 0, mostAtOnce: 0, finished: 0 };
    const source = startSqsEventSource({
      sqs,
      queue,
      region: emulators.region,
      settings: intakeSettings({ batchSize: 1, maxConcurrency }),
      target: fakeFunction('route-signal', async () => {
        counts.started += 1;
        counts.running += 1;
        counts.mostAtOnce = Math.max(counts.mostAtOnce, counts.running);
        await gate;
        counts.running -= 1;
        counts.finished += 1;
        return {};
      }),
      log: silent,
    });
    const send = (count: number) =>
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Array.from({ length: count }, (_, i) => ({ Id: `m${i}`, MessageBody: `message ${i}` })),
        }),
      );
    return { queue, source, counts, open, send };
  }

  it('invokes up to maxConcurrency batches at once, never more', async () => {
    const { queue, source, counts, open, send } = await gatedSource(3);
    try {
      await send(7);

      await eventually(() => (counts.running === 3 ? true : undefined));
      // Time for a fourth poller, if there were one, to receive and invoke.
      await new Promise((r) => setTimeout(r, 500));
      expect([counts.started, counts.running]).toEqual([3, 3]);

      open();
      await eventually(async () => ((await messagesLeft(queue.url)) === 0 ? true : undefined));
    } finally {
      open();
      await source.stop();
    }

    expect([counts.finished, counts.mostAtOnce]).toEqual([7, 3]);
  });

  it('waits in stop() for every batch in flight and deletes what they processed', async () => {
    const { queue, source, counts, open, send } = await gatedSource(3);
    let stopped = false;
    let stoppedWhileInFlight: boolean | undefined;
    try {
      await send(3);
      await eventually(() => (counts.running === 3 ? true : undefined));

      const stopping = source.stop().then(() => {
        stopped = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      stoppedWhileInFlight = stopped;
      open();
      await stopping;
    } finally {
      open();
      await source.stop();
    }

    expect(stoppedWhileInFlight).toBe(false);
    expect(counts.finished).toBe(3);
    expect(await messagesLeft(queue.url)).toBe(0);
  });

  it('pauses each poller after a failed receive, logs an outage once and receives again after it', async () => {
    const queue = await freshQueue();
    const commands: string[] = [];
    const client = recordingClient(commands);
    const lines: { level: 'info' | 'error'; line: string }[] = [];
    const bodies: string[] = [];
    const source = startSqsEventSource({
      sqs: client,
      queue,
      region: emulators.region,
      settings: intakeSettings({ maxConcurrency: 4 }),
      target: fakeFunction('route-signal', async (event) => {
        bodies.push(...(event as SQSEvent).Records.map((r) => r.body));
        return {};
      }),
      log: {
        info: (line) => lines.push({ level: 'info', line }),
        error: (line) => lines.push({ level: 'error', line }),
      },
    });
    let receivesDuringOutage: number;
    try {
      await emulators.stopSqs();
      const before = commands.length;
      try {
        await new Promise((r) => setTimeout(r, 2500));
      } finally {
        receivesDuringOutage = commands.slice(before).filter((c) => c === 'ReceiveMessageCommand').length;
        await emulators.startSqs();
      }
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'after the outage' }));

      await eventually(() => (bodies.includes('after the outage') ? true : undefined));
    } finally {
      await source.stop();
      client.destroy();
    }

    // Four pollers, each trying again once a second: no spinning on a refused connection.
    expect(receivesDuringOutage).toBeLessThanOrEqual(4 * 4);
    const outage = lines.filter((l) => l.line.includes(`receiving from ${queue.name}`));
    expect(outage.map((l) => l.level)).toEqual(['error', 'info']);
  });

  it('waits in stop() for the batch in flight and deletes what it processed', async () => {
    const queue = await freshQueue();
    let invoked!: () => void;
    const started = new Promise<void>((resolve) => {
      invoked = resolve;
    });
    let finished = false;
    const source = startSqsEventSource({
      sqs,
      queue,
      region: emulators.region,
      settings: intakeSettings(),
      target: fakeFunction('route-signal', async () => {
        invoked();
        await new Promise((r) => setTimeout(r, 500));
        finished = true;
        return {};
      }),
      log: silent,
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'in flight' }));
    await started;

    await source.stop();

    expect(finished).toBe(true);
    expect(await messagesLeft(queue.url)).toBe(0);
  });
});

describe('startStreamEventSource', () => {
  const checkpointFile = () => join(dataDir, 'checkpoints.json');
  const start = (invoke: (event: DynamoDBStreamEvent) => Promise<unknown>, maxRetryAttempts = 10) =>
    startStreamEventSource({
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      region: emulators.region,
      streamArn: resources.stateTable.streamArn,
      settings: {
        batchSize: 50,
        maxRetryAttempts,
        maxRecordAgeSeconds: -1,
        bisectOnError: true,
        reportBatchItemFailures: true,
      },
      target: fakeFunction('write-audit', (event) => invoke(event as DynamoDBStreamEvent)),
      onFailure: { sqs, queue: resources.auditStreamDeadLetterQueue },
      checkpointFile: checkpointFile(),
      log: silent,
      pollIntervalMs: 100,
    });
  const keysOf = (events: DynamoDBStreamEvent[]) =>
    events.flatMap((e) => e.Records.map((r) => r.dynamodb?.Keys?.pk?.S));

  it('delivers stream records in Lambda’s shape and resumes after its checkpoint', async () => {
    const first: DynamoDBStreamEvent[] = [];
    let source = start(async (event) => {
      first.push(event);
    });
    await putState('STREAM#1');
    await putState('STREAM#2');
    await eventually(() => (keysOf(first).includes('STREAM#2') ? true : undefined));
    await source.stop();

    const record = first.flatMap((e) => e.Records).find((r) => r.dynamodb?.Keys?.pk?.S === 'STREAM#1');
    expect(record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: resources.stateTable.streamArn,
      dynamodb: {
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        NewImage: { pk: { S: 'STREAM#1' }, bytes: { B: 'AQI=' }, scope: { M: {} } },
      },
    });
    expect(typeof record?.dynamodb?.ApproximateCreationDateTime).toBe('number');

    const second: DynamoDBStreamEvent[] = [];
    source = start(async (event) => {
      second.push(event);
    });
    await putState('STREAM#3');
    await eventually(() => (keysOf(second).includes('STREAM#3') ? true : undefined));
    await source.stop();
    expect(keysOf(second)).toEqual(['STREAM#3']);
  });

  it('sends the metadata of a record that keeps failing to the on-failure queue and moves on', async () => {
    const seen: DynamoDBStreamEvent[] = [];
    const source = start(async (event) => {
      seen.push(event);
      if (keysOf([event]).includes('POISON#1')) throw new Error('poison');
    }, 1);
    try {
      await putState('POISON#1');
      await putState('AFTER#1');
      await eventually(() => (keysOf(seen).includes('AFTER#1') ? true : undefined));

      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: resources.auditStreamDeadLetterQueue.url, WaitTimeSeconds: 2 }),
      );
      const body = JSON.parse(Messages?.[0]?.Body ?? '{}');
      expect(body).toMatchObject({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
        DDBStreamBatchInfo: { batchSize: 1, streamArn: resources.stateTable.streamArn },
      });
      expect(Messages?.[0]?.Body).not.toContain('POISON');
    } finally {
      await source.stop();
    }
  });
});
