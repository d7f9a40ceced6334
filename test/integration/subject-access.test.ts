import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyChain } from '../../domain/audit-chain.js';
import { productionDependencies as subjectAccessDeps } from '../../functions/answer-subject-access/dependencies.js';
import { makeHandler as subjectAccessHandler } from '../../functions/answer-subject-access/handler.js';
import { productionDependencies as listDeps } from '../../functions/list-audit-events/dependencies.js';
import { makeHandler as listHandler } from '../../functions/list-audit-events/handler.js';
import { DynamoDbAuditLog } from '../../functions/shared/adapters/dynamodb-audit-log.js';
import { DynamoDbPupilAuditTrail } from '../../functions/shared/adapters/dynamodb-pupil-audit-trail.js';
import { HmacPseudonymizer } from '../../functions/shared/adapters/hmac-pseudonymizer.js';
import { accessItem, referralItem, signalItem } from '../../functions/shared/adapters/state-items.js';
import { AUDIT_TABLE } from '../../functions/shared/adapters/state-table.js';
import { InvalidCursorError } from '../../functions/shared/errors.js';
import { productionDependencies as writeAuditDeps } from '../../functions/write-audit/dependencies.js';
import { makeHandler as writeAuditHandler } from '../../functions/write-audit/handler.js';
import type { AuditEvent } from '../../schemas/audit-event.js';
import { AuditPageSchema } from '../../schemas/audit-event.js';
import { SubjectAccessAnswerSchema } from '../../schemas/subject-access.js';
import { answerOf, operationEvent } from '../helpers/api-calls.js';
import { municipalityClient } from '../helpers/clients.js';
import {
  createAuditTable,
  createStateTable,
  deleteTable,
  type EmulatedAws,
  emulatedAws,
} from '../helpers/emulated-aws.js';
import { storedReferral, storedSignal } from '../helpers/factories.js';

// Subject access over the real adapters on DynamoDB Local: the pupil's events written by
// write-audit from state-table changes and reads, found again through the audit table's byPupil
// index, and the request itself recorded in the state table and carried into the trail.

const aws: EmulatedAws = emulatedAws();
const KEY = 'local-pseudonym-key-for-the-subject-access-test';
const BSN_A = '999900043';
const BSN_B = '999900018';
const amsterdam = municipalityClient(['0363']);

let stateTable: string;
let auditTable: string;
let env: Record<string, string>;
let pupilA: string;
let pupilB: string;
let writeAudit: (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: unknown[] }>;

let streamSequence = 5000;
function streamRecord(item: Record<string, unknown>): DynamoDBRecord {
  streamSequence += 1;
  return {
    eventID: randomUUID(),
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: aws.region,
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(streamSequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** Plays the state table's stream for these items: write-audit appends them to the trail. */
async function audit(items: Record<string, unknown>[]): Promise<void> {
  const result = await writeAudit({ Records: items.map(streamRecord) });
  expect(result.batchItemFailures).toEqual([]);
}

async function requestSubjectAccess(body: unknown) {
  const handler = subjectAccessHandler(subjectAccessDeps(env));
  const answer = await answerOf(handler(operationEvent('requestSubjectAccess', { client: amsterdam, body })));
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return SubjectAccessAnswerSchema.parse(answer.body);
}

/** The state table's read records (what its stream would carry to write-audit next). */
async function accessItems(): Promise<Record<string, unknown>[]> {
  const { Items } = await aws.documents.send(
    new ScanCommand({
      TableName: stateTable,
      FilterExpression: 'begins_with(pk, :access)',
      ExpressionAttributeValues: { ':access': 'ACCESS#' },
    }),
  );
  return (Items ?? []) as Record<string, unknown>[];
}

const idsOf = (events: readonly AuditEvent[]) => events.map((e) => e.id);

beforeAll(async () => {
  [stateTable, auditTable] = await Promise.all([createStateTable(aws), createAuditTable(aws)]);
  env = {
    AUDIT_TABLE_NAME: auditTable,
    STATE_TABLE_NAME: stateTable,
    PSEUDONYM_KEY: KEY,
    DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
    AWS_REGION: aws.region,
  };
  writeAudit = writeAuditHandler(writeAuditDeps(env)) as unknown as typeof writeAudit;
  const pseudonymizer = new HmacPseudonymizer(async () => KEY);
  pupilA = await pseudonymizer.pseudonymize('bsn', BSN_A);
  pupilB = await pseudonymizer.pseudonymize('bsn', BSN_B);

  // Amsterdam's trail: pupil A's signal, referral and a read of it, between pupil B's signal and
  // a consultation that names no pupil; pupil A also has a signal in Hillegom.
  const signalA = storedSignal({ id: randomUUID(), pupilPseudonym: pupilA });
  const signalB = storedSignal({ id: randomUUID(), pupilPseudonym: pupilB });
  const consultation = { ...storedSignal({ id: randomUUID(), requestType: 'consultation' }) };
  delete consultation.pupilPseudonym;
  const referralA = storedReferral({ id: randomUUID(), signalId: signalA.id, pupilPseudonym: pupilA });
  const readA = accessItem(
    {
      id: randomUUID(),
      municipality: '0363',
      objectType: 'referral',
      objectId: referralA.id,
      objectVersion: 1,
      signalId: signalA.id,
      pupilPseudonym: pupilA,
      change: {
        eventType: 'referral.read',
        at: '2026-11-22T10:05:00.000Z',
        actor: { clientId: 'team-jgt-amsterdam', role: 'provider', organisation: 'OKT', user: 'mw-042' },
        onBehalfOf: { teamId: 'jgt-amsterdam' },
      },
    },
    new Date('2026-11-22T10:05:00Z'),
  );
  const hillegomA = storedSignal({ id: randomUUID(), municipality: '0534', pupilPseudonym: pupilA });
  await audit([
    signalItem(signalB),
    signalItem(signalA),
    signalItem(consultation),
    referralItem(referralA),
    readA,
    signalItem(hillegomA),
  ]);
});

afterAll(async () => {
  await Promise.all([deleteTable(aws, stateTable), deleteTable(aws, auditTable)]);
});

describe('subject access on DynamoDB Local', () => {
  it('answers exactly pupil A’s changes and reads in Amsterdam, oldest first', async () => {
    const answer = await requestSubjectAccess({ municipality: '0363', pupil: { bsn: BSN_A } });

    expect(answer.pupilPseudonym).toBe(pupilA);
    expect(answer.items.map((e) => e.eventType)).toEqual([
      'signal.received',
      'referral.queued',
      'referral.read',
    ]);
    expect(answer.items.every((e) => e.object.pupilPseudonym === pupilA && e.municipality === '0363')).toBe(
      true,
    );
    const sequences = answer.items.map((e) => e.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(answer.items.find((e) => e.eventType === 'referral.read')?.actor.user).toBe('mw-042');
  });

  it('answers pupil B only B’s signal', async () => {
    const answer = await requestSubjectAccess({ municipality: '0363', pupil: { bsn: BSN_B } });

    expect(answer.items.map((e) => [e.eventType, e.object.pupilPseudonym])).toEqual([
      ['signal.received', pupilB],
    ]);
  });

  it('never stores the BSN: the request is recorded by pseudonym, before the answer', async () => {
    await requestSubjectAccess({ municipality: '0363', pupil: { bsn: BSN_A } });

    const recorded = (await accessItems()).filter(
      (item) => (item.change as { eventType: string }).eventType === 'audit-trail.subject-access',
    );
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded[0]).toMatchObject({
      objectType: 'audit-trail',
      objectId: '0363',
      pupilPseudonym: expect.stringMatching(/^pp-/),
      change: { purpose: 'subject-access', details: { eventCount: expect.any(Number) } },
    });
    const everything = JSON.stringify([...(await accessItems())]);
    expect(everything).not.toContain(BSN_A);
    expect(everything).not.toContain(BSN_B);
  });

  it('shows a pupil’s earlier subject access once write-audit has appended it', async () => {
    const before = await requestSubjectAccess({ municipality: '0363', pupil: { bsn: BSN_B } });
    const mine = (await accessItems()).filter(
      (item) =>
        item.pupilPseudonym === pupilB &&
        (item.change as { eventType: string }).eventType === 'audit-trail.subject-access',
    );
    await audit(mine);

    const after = await requestSubjectAccess({ municipality: '0363', pupil: { bsn: BSN_B } });

    expect(after.items.slice(0, before.items.length)).toEqual(before.items);
    const appended = after.items.slice(before.items.length);
    expect(appended.length).toBeGreaterThan(0);
    expect(appended[0]).toMatchObject({
      action: 'R',
      eventType: 'audit-trail.subject-access',
      purpose: 'subject-access',
      actor: { clientId: amsterdam.clientId, role: 'municipality' },
      object: { type: 'audit-trail', id: '0363', pupilPseudonym: pupilB },
      details: { eventCount: before.items.length },
    });
  });

  it('pages through the byPupil index with limit and cursor', async () => {
    const body = { municipality: '0363', pupil: { bsn: BSN_A }, limit: 2 };
    const whole = await requestSubjectAccess({ ...body, limit: 100 });

    const pages: AuditEvent[][] = [];
    let cursor: string | undefined;
    do {
      const page = await requestSubjectAccess({ ...body, ...(cursor ? { cursor } : {}) });
      pages.push(page.items);
      cursor = page.next;
    } while (cursor);

    expect(pages[0]).toHaveLength(2);
    expect(idsOf(pages.flat())).toEqual(idsOf(whole.items));
  });

  it('refuses a cursor of another pupil', async () => {
    const trail = new DynamoDbPupilAuditTrail(aws.documents, auditTable);
    const extra = storedSignal({ id: randomUUID(), pupilPseudonym: pupilB });
    await audit([signalItem(extra)]);
    const theirs = await trail.listForPupil({ municipality: '0363', pupilPseudonym: pupilB, limit: 1 });
    expect(theirs.next).toBeDefined();

    await expect(
      trail.listForPupil({ municipality: '0363', pupilPseudonym: pupilA, limit: 1, cursor: theirs.next }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('indexes only entries about a pupil, and leaves the chain as it verifies', async () => {
    const chain = (
      await new DynamoDbAuditLog(aws.documents, auditTable).list({ municipality: '0363', limit: 100 })
    ).items;
    const consultation = chain.find((e) => e.object.pupilPseudonym === undefined);
    if (!consultation) throw new Error('no entry without a pupil in the chain');
    const key = { pk: 'CHAIN#0363', sk: `SEQ#${String(consultation.sequence).padStart(12, '0')}` };
    const { Item } = await aws.documents.send(new GetCommand({ TableName: auditTable, Key: key }));
    const { Items } = await aws.documents.send(
      new QueryCommand({
        TableName: auditTable,
        IndexName: 'byPupil',
        KeyConditionExpression: '#pupil = :pupil',
        ExpressionAttributeNames: { '#pupil': AUDIT_TABLE.indexes.byPupil.partitionKey },
        ExpressionAttributeValues: { ':pupil': `PUPIL#0363#${pupilA}` },
      }),
    );

    expect(Item).toBeDefined();
    expect(Item).not.toHaveProperty(AUDIT_TABLE.indexes.byPupil.partitionKey);
    expect(Items?.length).toBeGreaterThan(0);
    expect(verifyChain(chain)).toMatchObject({ valid: true });
  });
});

describe('the byPupil index in local mode', () => {
  it('is created from the synthesized CDK template, as the test tables have it', () => {
    const audit = inject('topology').tables.find((t) => t.kind === 'audit-table');

    expect(audit?.create.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'byPupil',
        KeySchema: [
          { AttributeName: AUDIT_TABLE.indexes.byPupil.partitionKey, KeyType: 'HASH' },
          { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['entry'] },
      },
    ]);
  });
});

describe('reads of the trail on DynamoDB Local', () => {
  it('records one audit-trail.read per listed page in the state table, before the page is returned', async () => {
    const handler = listHandler(listDeps(env));
    const readsBefore = (await accessItems()).filter(
      (i) => (i.change as { eventType: string }).eventType === 'audit-trail.read',
    ).length;

    const answer = await answerOf(
      handler(
        operationEvent('listAuditEvents', {
          client: amsterdam,
          query: { municipality: '0363', limit: '2' },
          headers: { 'Schakel-User': 'mw-017' },
        }),
      ),
    );

    expect(answer.status).toBe(200);
    expect(AuditPageSchema.parse(answer.body).items).toHaveLength(2);
    const reads = (await accessItems()).filter(
      (i) => (i.change as { eventType: string }).eventType === 'audit-trail.read',
    );
    expect(reads).toHaveLength(readsBefore + 1);
    expect(reads.at(-1)).toMatchObject({
      objectType: 'audit-trail',
      objectId: '0363',
      change: {
        purpose: 'accountability',
        actor: { clientId: amsterdam.clientId, user: 'mw-017' },
        details: { count: 2 },
      },
    });
  });
});
