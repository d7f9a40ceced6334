import { randomUUID } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../domain/audit-chain.js';
import { DynamoDbAuditLog } from '../../functions/shared/adapters/dynamodb-audit-log.js';
import { productionDependencies } from '../../functions/write-audit/dependencies.js';
import { makeHandler } from '../../functions/write-audit/handler.js';
import { createAuditTable, deleteTable, type EmulatedAws, emulatedAws } from '../helpers/emulated-aws.js';

const aws: EmulatedAws = emulatedAws();
let table: string;
let handler: (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

beforeAll(async () => {
  table = await createAuditTable(aws);
  handler = makeHandler(
    productionDependencies({
      AUDIT_TABLE_NAME: table,
      DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
      AWS_REGION: aws.region,
    }),
  ) as typeof handler;
});

afterAll(async () => {
  await deleteTable(aws, table);
});

let sequence = 1000;

/** A stream record for a referral reaching `status` (version n), as DynamoDB Streams sends it. */
function referralRecord(
  municipality: string,
  referralId: string,
  version: number,
  status: string,
): DynamoDBRecord {
  const item = {
    pk: `REFERRAL#${referralId}`,
    sk: 'REFERRAL',
    entity: 'referral',
    id: referralId,
    signalId: referralId,
    municipality,
    status,
    version,
    lastChange: {
      eventType: `referral.${status}`,
      at: new Date(Date.UTC(2026, 10, 22, 10, version)).toISOString(),
      actor: { clientId: 'team-1', role: 'provider', organisation: 'JGT' },
    },
  };
  sequence += 1;
  return {
    eventID: randomUUID(),
    eventName: version === 1 ? 'INSERT' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: aws.region,
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item) as never,
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

async function chain(municipality: string) {
  return (await new DynamoDbAuditLog(aws.documents, table).list({ municipality, limit: 100 })).items;
}

describe('write-audit handler', () => {
  it('appends the records of a batch in stream order', async () => {
    const id = randomUUID();
    const statuses = ['queued', 'delivered', 'accepted', 'started', 'closed'];
    const records = statuses.map((status, i) => referralRecord('0363', id, i + 1, status));

    const response = await handler({ Records: records });

    expect(response.batchItemFailures).toEqual([]);
    const entries = await chain('0363');
    expect(entries.map((e) => e.eventType)).toEqual(statuses.map((s) => `referral.${s}`));
    expect(verifyChain(entries).valid).toBe(true);
  });

  it('stops at the first failing record and reports only it, so the shard resumes there', async () => {
    const id = randomUUID();
    const first = referralRecord('0534', id, 1, 'queued');
    const broken = {
      ...referralRecord('0534', id, 2, 'delivered'),
      eventName: 'UNKNOWN',
    } as unknown as DynamoDBRecord;
    const after = referralRecord('0534', id, 3, 'accepted');

    const response = await handler({ Records: [first, broken, after] });

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: broken.dynamodb?.SequenceNumber }]);
    expect((await chain('0534')).map((e) => e.eventType)).toEqual(['referral.queued']);
  });

  it('appends nothing twice when Lambda retries a batch it already processed in part', async () => {
    const id = randomUUID();
    const records = [referralRecord('0014', id, 1, 'queued'), referralRecord('0014', id, 2, 'delivered')];

    await handler({ Records: records.slice(0, 1) });
    await handler({ Records: records });

    expect((await chain('0014')).map((e) => e.sequence)).toEqual([1, 2]);
  });

  it('lets the verifier name the object and version whose source record was lost before it was appended', async () => {
    const id = randomUUID();
    const records = ['queued', 'delivered', 'accepted', 'started'].map((status, i) =>
      referralRecord('0307', id, i + 1, status),
    );
    // The stream record of version 2 is gone before write-audit sees it.
    const withoutOne = records.filter((_, i) => i !== 1);

    await handler({ Records: withoutOne });

    const entries = await chain('0307');
    expect(entries.map((e) => e.object.version)).toEqual([1, 3, 4]);
    expect(verifyChain(entries)).toMatchObject({
      valid: false,
      problem: 'version-gap',
      gaps: [{ objectType: 'referral', objectId: id, missing: [2], sequence: entries[1]?.sequence }],
    });
  });
});
