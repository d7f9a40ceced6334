import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../domain/audit-chain.js';
import { productionDependencies } from '../../functions/recover-audit/dependencies.js';
import { makeHandler } from '../../functions/recover-audit/handler.js';
import { DynamoDbAuditLog } from '../../functions/shared/adapters/dynamodb-audit-log.js';
import { accessItem, referralItem } from '../../functions/shared/adapters/state-items.js';
import type { AccessRecord, StoredReferral } from '../../functions/shared/model.js';
import { writeAudit } from '../../functions/write-audit/write-audit.js';
import type { StreamBatchFailure } from '../../schemas/stream-failure.js';
import {
  createAuditTable,
  createStateTable,
  deleteTable,
  type EmulatedAws,
  emulatedAws,
} from '../helpers/emulated-aws.js';
import { intakeRecord } from '../helpers/events.js';
import { storedReferral } from '../helpers/factories.js';

// recover-audit against DynamoDB Local and its stream: the batches write-audit gave up on, as
// Lambda describes them on the on-failure queue, re-read and appended late.

const aws: EmulatedAws = emulatedAws();
let stateTable: string;
let auditTable: string;
let streamArn: string;
let audit: DynamoDbAuditLog;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
const streams = new DynamoDBStreamsClient({
  region: aws.region,
  endpoint: aws.dynamodbEndpoint,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

beforeAll(async () => {
  [stateTable, auditTable] = await Promise.all([createStateTable(aws), createAuditTable(aws)]);
  const { Table } = await aws.dynamodb.send(new DescribeTableCommand({ TableName: stateTable }));
  streamArn = Table?.LatestStreamArn as string;
  audit = new DynamoDbAuditLog(aws.documents, auditTable);
  handler = makeHandler(
    productionDependencies({
      AUDIT_TABLE_NAME: auditTable,
      STATE_TABLE_NAME: stateTable,
      DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
      AWS_REGION: aws.region,
    }),
  ) as typeof handler;
});

afterAll(async () => {
  streams.destroy();
  await Promise.all([deleteTable(aws, stateTable), deleteTable(aws, auditTable)]);
});

const STATUSES = ['queued', 'delivered', 'accepted', 'started'] as const;

/** Writes versions 1…n of a referral to the state table, as the use cases would. */
async function writeVersions(municipality: string, versions: number): Promise<StoredReferral[]> {
  const id = randomUUID();
  const written: StoredReferral[] = [];
  for (let version = 1; version <= versions; version++) {
    const status = STATUSES[version - 1] as StoredReferral['status'];
    const referral = storedReferral({
      id,
      municipality,
      status,
      version,
      updatedAt: new Date().toISOString(),
      lastChange: { eventType: `referral.${status}`, at: new Date().toISOString() },
    });
    await aws.documents.send(new PutCommand({ TableName: stateTable, Item: referralItem(referral) }));
    written.push(referral);
  }
  return written;
}

/** Every record of the (single-shard, fresh) stream so far: shard, sequence number, item key. */
async function streamRecords() {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const found: { shardId: string; sequence: string; pk: string; version: number }[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const shardId = shard.ShardId as string;
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    for (let empty = 0; iterator && empty < 3; ) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      empty = page.Records?.length ? 0 : empty + 1;
      for (const r of page.Records ?? []) {
        found.push({
          shardId,
          sequence: r.dynamodb?.SequenceNumber as string,
          pk: r.dynamodb?.Keys?.pk?.S as string,
          version: Number(r.dynamodb?.NewImage?.version?.N),
        });
      }
      iterator = page.NextShardIterator;
    }
  }
  return found;
}

function failureMessage(
  records: { shardId: string; sequence: string }[],
  condition = 'RecordAgeExceeded',
): StreamBatchFailure {
  const now = new Date().toISOString();
  return {
    requestContext: { condition, approximateInvokeCount: 120 },
    DDBStreamBatchInfo: {
      shardId: records[0]?.shardId as string,
      startSequenceNumber: records[0]?.sequence as string,
      endSequenceNumber: records.at(-1)?.sequence as string,
      approximateArrivalOfFirstRecord: now,
      approximateArrivalOfLastRecord: now,
      batchSize: records.length,
      streamArn,
    },
  };
}

const deliver = (message: unknown) =>
  handler({ Records: [intakeRecord(randomUUID(), JSON.stringify(message))] });

async function chainOf(municipality: string) {
  return (await audit.list({ municipality, limit: 100 })).items;
}

/** Appends what write-audit would have appended before it gave up: the first version. */
async function auditFirstVersion(referral: StoredReferral) {
  await writeAudit({ audit }, [
    { key: '0', change: { eventName: 'INSERT', newItem: referralItem(referral) } },
  ]);
}

describe('recover-audit', () => {
  it('re-reads a given-up batch from the stream and appends each change once, marked as recovered late', async () => {
    const versions = await writeVersions('0363', 4);
    await auditFirstVersion(versions[0] as StoredReferral);
    const pk = `REFERRAL#${versions[0]?.id}`;
    const lost = (await streamRecords()).filter((r) => r.pk === pk && r.version >= 2);

    const first = await deliver(failureMessage(lost));
    const again = await deliver(failureMessage(lost));

    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    const chain = await chainOf('0363');
    expect(chain.map((e) => [e.object.version, e.recovery])).toEqual([
      [1, undefined],
      [2, { method: 'stream', reason: 'record-age-exceeded' }],
      [3, { method: 'stream', reason: 'record-age-exceeded' }],
      [4, { method: 'stream', reason: 'record-age-exceeded' }],
    ]);
    expect(verifyChain(chain)).toMatchObject({ valid: true, count: 4 });
  });

  it('past the stream’s retention appends the current version, and the verifier names the versions lost', async () => {
    const versions = await writeVersions('0534', 3);
    await auditFirstVersion(versions[0] as StoredReferral);
    // A team's read of the referral, whose record only the lost batch carried.
    const read: AccessRecord = {
      id: randomUUID(),
      municipality: '0534',
      objectType: 'referral',
      objectId: versions[0]?.id as string,
      objectVersion: 3,
      signalId: versions[0]?.signalId as string,
      change: {
        eventType: 'referral.read',
        at: new Date().toISOString(),
        actor: { clientId: 'team-1', role: 'provider' },
      },
    };
    await aws.documents.send(new PutCommand({ TableName: stateTable, Item: accessItem(read, new Date()) }));
    const pk = `REFERRAL#${versions[0]?.id}`;
    const lost = (await streamRecords()).filter((r) => r.pk === pk && r.version >= 2);
    // A shard the stream no longer has: what the on-failure record points at after 24 hours.
    const message = failureMessage(
      lost.map((r) => ({ ...r, shardId: 'shardId-00000000000000000000-expired0' })),
      'RetryAttemptsExhausted',
    );

    const response = await deliver(message);

    expect(response.batchItemFailures).toEqual([]);
    const chain = await chainOf('0534');
    expect(chain.map((e) => [e.eventType, e.object.version, e.recovery?.method])).toEqual([
      ['referral.queued', 1, undefined],
      ['referral.accepted', 3, 'current-version'],
      ['referral.read', 3, 'current-version'],
    ]);
    expect(verifyChain(chain)).toMatchObject({
      valid: false,
      problem: 'version-gap',
      gaps: [{ objectType: 'referral', objectId: versions[0]?.id, missing: [2] }],
    });
  });

  it('leaves a message it cannot read for the queue to retry and, in the end, dead-letter', async () => {
    // A batch of one that fails is a failed invocation: the message returns after its visibility timeout.
    await expect(deliver({ requestContext: {}, DDBStreamBatchInfo: { shardId: '' } })).rejects.toThrow(
      /All records failed processing/,
    );
  });
});
