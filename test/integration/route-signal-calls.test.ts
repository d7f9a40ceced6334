import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/route-signal/handler.js';
import type { RouteSignalDeps } from '../../functions/route-signal/route-signal.js';
import { createDocumentClient } from '../../functions/shared/adapters/dynamodb-client.js';
import { DynamoDbStateStore } from '../../functions/shared/adapters/dynamodb-state-store.js';
import { createSqsClient } from '../../functions/shared/adapters/sqs-client.js';
import { SqsTeamQueue } from '../../functions/shared/adapters/sqs-queues.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import {
  createStateTable,
  createTeamQueue,
  deleteTable,
  type EmulatedAws,
  emulatedAws,
  uniqueDeployment,
} from '../helpers/emulated-aws.js';
import { intakeRecord } from '../helpers/events.js';
import { storedSignal } from '../helpers/factories.js';

// What route-signal costs per signal, counted where it is paid: every command its DynamoDB and SQS
// clients send to DynamoDB Local and fauxqs, through the handler and the real adapters.

const aws: EmulatedAws = emulatedAws();
const deployment = uniqueDeployment();
const config: DeploymentConfig = {
  deployment,
  teams: [{ id: 'jgt-amsterdam', name: 'JGT Amsterdam', kind: 'jgt', organisation: 'OKT' }],
  routingRules: [{ id: 'amsterdam', municipality: '0363', teamId: 'jgt-amsterdam' }],
};
const now = () => new Date('2026-11-22T10:00:05Z');

let table: string;
/** Commands sent by the counted clients, by name without `Command`. */
const sent: string[] = [];
/** Runs once, just before the counted store's next transaction: another writer got there first. */
let beforeNextTransaction: (() => Promise<void>) | undefined;

/** Records a command about to be sent; before the first transaction after `beforeNextTransaction` is set, runs it. */
async function seen(commandName: string): Promise<void> {
  const name = commandName.replace(/Command$/, '');
  sent.push(name);
  const interleaved = beforeNextTransaction;
  if (name === 'TransactWriteItems' && interleaved) {
    beforeNextTransaction = undefined;
    await interleaved();
  }
}

function counted(documents: DynamoDBDocumentClient, sqs: SQSClient) {
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      await seen(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      await seen(String(context.commandName));
      return next(args);
    },
    { step: 'initialize' },
  );
  return { documents, sqs };
}

function depsWith(documents: DynamoDBDocumentClient, sqs: SQSClient): RouteSignalDeps {
  return {
    signals: new DynamoDbStateStore(documents, table),
    teams: new SqsTeamQueue(sqs, deployment),
    config,
    now,
  };
}

/** route-signal as Lambda runs it, on clients that count; `other` is a second, uncounted instance. */
let handler: ReturnType<typeof makeHandler>;
let other: ReturnType<typeof makeHandler>;
let store: DynamoDbStateStore;

beforeAll(async () => {
  table = await createStateTable(aws);
  await createTeamQueue(aws, deployment, 'jgt-amsterdam');
  const env = {
    AWS_REGION: aws.region,
    DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
    SQS_ENDPOINT: aws.sqsEndpoint,
  };
  const clients = counted(createDocumentClient(env), createSqsClient(env));
  handler = makeHandler(depsWith(clients.documents, clients.sqs));
  other = makeHandler(depsWith(aws.documents, aws.sqs));
  store = new DynamoDbStateStore(aws.documents, table);
  // A warm function: the team's queue URL is looked up once per cold start, not per signal.
  const warm = await newSignal();
  await handler(intakeEvent(warm));
});

afterAll(async () => {
  await deleteTable(aws, table);
});

async function newSignal(): Promise<string> {
  const id = randomUUID();
  await store.createSignal(storedSignal({ id, sourceId: `src-${id}`, municipality: '0363' }));
  return id;
}

function intakeEvent(signalId: string): SQSEvent {
  return { Records: [intakeRecord(randomUUID(), JSON.stringify({ signalId }))] };
}

/** The commands one delivery of the signal's intake message sends. */
async function commandsFor(run: ReturnType<typeof makeHandler>, signalId: string): Promise<string[]> {
  sent.length = 0;
  const response = await run(intakeEvent(signalId));
  expect(response.batchItemFailures).toEqual([]);
  return [...sent];
}

describe('route-signal’s calls per signal (DynamoDB Local and fauxqs)', () => {
  it('reads the signal, writes signal and referral in one transaction and publishes: three calls', async () => {
    const id = await newSignal();

    expect(await commandsFor(handler, id)).toEqual(['GetItem', 'TransactWriteItems', 'SendMessage']);
    expect((await store.getSignal(id))?.status).toBe('routed');
  });

  it('reads the signal and its referral and publishes again when the message is delivered again', async () => {
    const id = await newSignal();
    await other(intakeEvent(id));

    expect(await commandsFor(handler, id)).toEqual(['GetItem', 'BatchGetItem', 'SendMessage']);
  });

  it('reads once more, signal and referral together, when another delivery routed it meanwhile', async () => {
    const id = await newSignal();
    beforeNextTransaction = async () => {
      await other(intakeEvent(id));
    };

    const commands = await commandsFor(handler, id);

    expect(commands).toEqual(['GetItem', 'TransactWriteItems', 'BatchGetItem', 'SendMessage']);
    expect((await store.getSignal(id))?.referralIds).toHaveLength(1);
  });
});
