import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TeamEventType } from '../../domain/referral-state.js';
import { getSignal } from '../../functions/receive-signal/signal-view.js';
import { submitSignal } from '../../functions/receive-signal/submit-signal.js';
import { withdrawSignal } from '../../functions/receive-signal/withdraw-signal.js';
import { productionDependencies } from '../../functions/route-signal/dependencies.js';
import { makeHandler as makeRouteSignalHandler } from '../../functions/route-signal/handler.js';
import { routeSignal } from '../../functions/route-signal/route-signal.js';
import { DynamoDbAccessLog } from '../../functions/shared/adapters/dynamodb-access-log.js';
import { DynamoDbStateStore } from '../../functions/shared/adapters/dynamodb-state-store.js';
import { pupilDataVaultFromEnv } from '../../functions/shared/adapters/encryption-sdk-vault.js';
import { HmacPseudonymizer } from '../../functions/shared/adapters/hmac-pseudonymizer.js';
import { SqsIntakeQueue, SqsTeamQueue } from '../../functions/shared/adapters/sqs-queues.js';
import { ConflictError } from '../../functions/shared/errors.js';
import { getReferral, recordReferralEvent } from '../../functions/track-referral/track-referral.js';
import { ReferralCloudEventSchema } from '../../schemas/cloud-event.js';
import type { DeploymentConfig } from '../../schemas/deployment-config.js';
import type { SignalSubmission } from '../../schemas/signal.js';
import { schoolClient, teamClient } from '../helpers/clients.js';
import {
  createQueueWithDlq,
  createStateTable,
  createTeamQueue,
  deleteTable,
  drain,
  type EmulatedAws,
  emulatedAws,
  uniqueDeployment,
} from '../helpers/emulated-aws.js';
import { intakeRecord } from '../helpers/events.js';
import { consultationSubmission, referralSubmission } from '../helpers/factories.js';

const aws: EmulatedAws = emulatedAws();
const deployment = uniqueDeployment();
const config: DeploymentConfig = {
  deployment,
  teams: [
    { id: 'jgt-amsterdam', name: 'JGT Amsterdam', kind: 'jgt', organisation: 'OKT' },
    { id: 'jgt-hillegom', name: 'JGT Hillegom', kind: 'jgt', organisation: 'JGT DB' },
  ],
  routingRules: [
    { id: 'amsterdam', municipality: '0363', teamId: 'jgt-amsterdam' },
    { id: 'hillegom', municipality: '0534', teamId: 'jgt-hillegom' },
  ],
};
const now = () => new Date('2026-11-22T10:00:00Z');

let table: string;
let intakeUrl: string;
let amsterdamQueue: string;
let deps: ReturnType<typeof buildDeps>;

function buildDeps() {
  const signals = new DynamoDbStateStore(aws.documents, table);
  const teams = new SqsTeamQueue(aws.sqs, deployment);
  return {
    signals,
    teams,
    intake: new SqsIntakeQueue(aws.sqs, intakeUrl),
    pseudonymizer: new HmacPseudonymizer(async () => 'k'.repeat(48)),
    vault: pupilDataVaultFromEnv({ PUPIL_DATA_KEY: randomBytes(32).toString('base64') }),
    referrals: signals,
    access: new DynamoDbAccessLog(aws.documents, table, now),
    config,
    deployment,
    now,
    newId: () => randomUUID(),
  };
}

beforeAll(async () => {
  table = await createStateTable(aws);
  intakeUrl = (await createQueueWithDlq(aws, `intake-${deployment}`, `intake-dlq-${deployment}`)).queueUrl;
  amsterdamQueue = (await createTeamQueue(aws, deployment, 'jgt-amsterdam')).queueUrl;
  await createTeamQueue(aws, deployment, 'jgt-hillegom');
  deps = buildDeps();
});

afterAll(async () => {
  await deleteTable(aws, table);
});

const school = schoolClient();
const team = teamClient('jgt-amsterdam');

async function submit(submission: SignalSubmission) {
  return submitSignal(deps, { client: school, user: undefined, submission });
}

describe('submitting a signal', () => {
  it('stores it once and queues a pointer (not the content) for routing', async () => {
    const body = referralSubmission({ sourceId: `src-${randomUUID()}` });
    const result = await submit(body);

    expect(result).toMatchObject({ status: 'received', replayed: false });
    const stored = await deps.signals.getSignal(result.id);
    expect(stored?.pupilPseudonym).toMatch(/^pp-/);
    const messages = await drain(aws, intakeUrl);
    expect(messages.map((m) => JSON.parse(m.body))).toContainEqual({ signalId: result.id });
    expect(messages.some((m) => m.body.includes('999900018'))).toBe(false);
  });

  it('returns the same id when the same sourceId and body arrive again', async () => {
    const body = referralSubmission({ sourceId: `src-${randomUUID()}` });
    const first = await submit(body);
    const second = await submit(structuredClone(body));

    expect(second.id).toBe(first.id);
    expect(second.replayed).toBe(true);
    const { Items } = await aws.documents.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'sourceId = :s AND entity = :e',
        ExpressionAttributeValues: { ':s': body.sourceId, ':e': 'signal' },
      }),
    );
    expect(Items).toHaveLength(1);
  });

  it('refuses the same sourceId with other content as a conflict', async () => {
    const sourceId = `src-${randomUUID()}`;
    await submit(referralSubmission({ sourceId }));

    await expect(submit(referralSubmission({ sourceId, urgency: 'urgent' }))).rejects.toBeInstanceOf(
      ConflictError,
    );
  });
});

describe('routing a signal', () => {
  it('creates one referral for the team of the pupil’s municipality and sends it a CloudEvent', async () => {
    const { id } = await submit(referralSubmission({ sourceId: `src-${randomUUID()}` }));

    expect(await routeSignal(deps, id)).toBe('routed');

    const signal = await deps.signals.getSignal(id);
    expect(signal?.status).toBe('routed');
    expect(signal?.referralIds).toHaveLength(1);
    const events = (await drain(aws, amsterdamQueue)).map((m) =>
      ReferralCloudEventSchema.parse(JSON.parse(m.body)),
    );
    const event = events.find((e) => e.data.signalId === id);
    expect(event).toMatchObject({ type: 'nl.schakel.referral.queued.v1', data: { teamId: 'jgt-amsterdam' } });
    expect(event?.data.referralId).toBe(signal?.referralIds[0]);
  });

  it('does not create a second referral when the intake message is delivered again', async () => {
    const { id } = await submit(referralSubmission({ sourceId: `src-${randomUUID()}` }));
    await routeSignal(deps, id);
    const firstEvents = (await drain(aws, amsterdamQueue)).map((m) => JSON.parse(m.body));

    // SQS redelivers the same message, e.g. after a timeout before the delete.
    await routeSignal(deps, id);

    const signal = await deps.signals.getSignal(id);
    expect(signal?.referralIds).toHaveLength(1);
    const { Items } = await aws.documents.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'signalId = :s AND entity = :e',
        ExpressionAttributeValues: { ':s': id, ':e': 'referral' },
      }),
    );
    expect(Items).toHaveLength(1);
    // The queued referral is announced again with the same CloudEvent id, so the team can deduplicate.
    const again = (await drain(aws, amsterdamQueue)).map((m) => JSON.parse(m.body));
    expect(again.map((e) => e.id)).toEqual(
      firstEvents.filter((e) => e.data.signalId === id).map((e) => e.id),
    );
  });

  it('parks a signal for a municipality without rules as unroutable', async () => {
    const { id } = await submit(
      consultationSubmission({ sourceId: `src-${randomUUID()}`, pupil: { age: 10, municipality: '0518' } }),
    );

    expect(await routeSignal(deps, id)).toBe('unroutable');
    expect((await deps.signals.getSignal(id))?.status).toBe('unroutable');
  });

  it('reports partial batch failures through the route-signal handler, wired as in production', async () => {
    const handler = makeRouteSignalHandler(
      productionDependencies({
        STATE_TABLE_NAME: table,
        DEPLOYMENT_NAME: deployment,
        SCHAKEL_DEPLOYMENT_CONFIG: JSON.stringify(config),
        DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
        SQS_ENDPOINT: aws.sqsEndpoint,
        AWS_REGION: aws.region,
      }),
    );
    const { id } = await submit(referralSubmission({ sourceId: `src-${randomUUID()}` }));
    const event: SQSEvent = {
      Records: [
        intakeRecord('good', JSON.stringify({ signalId: id })),
        intakeRecord('unknown-signal', JSON.stringify({ signalId: randomUUID() })),
        intakeRecord('garbage', 'not json'),
      ],
    };

    const response = await handler(event);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'garbage',
      'unknown-signal',
    ]);
    expect((await deps.signals.getSignal(id))?.status).toBe('routed');
  });
});

describe('a team working a referral', () => {
  async function routedReferral() {
    const { id } = await submit(referralSubmission({ sourceId: `src-${randomUUID()}` }));
    await routeSignal(deps, id);
    const signal = await deps.signals.getSignal(id);
    return { signalId: id, referralId: signal?.referralIds[0] as string };
  }

  it('records a read before handing out the pupil data', async () => {
    const { referralId } = await routedReferral();

    const view = await getReferral(deps, { client: team, user: 'mw-042', id: referralId });

    expect(view.signal.pupil).toMatchObject({ bsn: '999900018' });
    const { Items } = await aws.documents.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'entity = :e AND objectId = :id',
        ExpressionAttributeValues: { ':e': 'access', ':id': referralId },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items?.[0]?.change).toMatchObject({ eventType: 'referral.read', actor: { user: 'mw-042' } });
    expect(JSON.stringify(Items)).not.toContain('999900018');
  });

  it('moves through the lifecycle and refuses a forbidden transition', async () => {
    const { signalId, referralId } = await routedReferral();
    const act = (type: TeamEventType, reason?: string) =>
      recordReferralEvent(deps, { client: team, user: undefined, id: referralId, event: { type, reason } });

    await act('delivered');
    await act('accepted');
    await expect(act('closed')).rejects.toBeInstanceOf(ConflictError);
    await act('started');
    const closed = await act('closed');

    expect(closed.status).toBe('closed');
    expect(closed.history.map((h) => h.status)).toEqual([
      'queued',
      'delivered',
      'accepted',
      'started',
      'closed',
    ]);
    const view = await getSignal(deps, { client: school, id: signalId });
    expect(view.referrals).toEqual([expect.objectContaining({ id: referralId, status: 'closed' })]);
  });

  it('lets a school withdraw an open referral and tells the team', async () => {
    const { signalId, referralId } = await routedReferral();
    await drain(aws, amsterdamQueue);

    const view = await withdrawSignal(deps, {
      client: school,
      user: undefined,
      id: signalId,
      reason: undefined,
    });

    expect(view.status).toBe('withdrawn');
    expect(view.referrals[0]?.status).toBe('withdrawn');
    const events = (await drain(aws, amsterdamQueue)).map((m) => JSON.parse(m.body));
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'nl.schakel.referral.withdrawn.v1', subject: referralId }),
    );
    const { Item } = await aws.documents.send(
      new GetCommand({ TableName: table, Key: { pk: `REFERRAL#${referralId}`, sk: 'REFERRAL' } }),
    );
    expect(Item?.version).toBe(2);
  });
});
