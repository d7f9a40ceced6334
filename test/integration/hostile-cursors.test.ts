import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionDependencies as listDeps } from '../../functions/list-audit-events/dependencies.js';
import { makeHandler as listHandler } from '../../functions/list-audit-events/handler.js';
import { DynamoDbExportJobs } from '../../functions/shared/adapters/dynamodb-audit-exports.js';
import { DynamoDbPupilAuditTrail } from '../../functions/shared/adapters/dynamodb-pupil-audit-trail.js';
import { InvalidCursorError } from '../../functions/shared/errors.js';
import { answerOf, operationEvent } from '../helpers/api-calls.js';
import { municipalityClient } from '../helpers/clients.js';
import {
  createAuditTable,
  createStateTable,
  deleteTable,
  type EmulatedAws,
  emulatedAws,
} from '../helpers/emulated-aws.js';

// Hostile probe: a cursor names the caller's own partition (so decodeCursor lets it through) but a
// sort key outside the query's key condition, or an empty one. DynamoDB refuses such an
// ExclusiveStartKey with a ValidationException ("The provided starting key does not match the
// range key predicate" / "...cannot contain an empty string value"), which the API answered as a
// 500. Over HTTP: GET /v1/audit-events?municipality=0363&cursor=<{"pk":"CHAIN#0363","sk":"HEAD"}>
// and GET /v1/audit-exports?cursor=<{"pk":"EXPORTS#<own client>","sk":"A"}>. Each must be a 400
// naming `cursor` (an InvalidCursorError from the adapter).

const aws: EmulatedAws = emulatedAws();
const amsterdam = municipalityClient(['0363']);
let stateTable: string;
let auditTable: string;
let env: Record<string, string>;

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

beforeAll(async () => {
  [stateTable, auditTable] = await Promise.all([createStateTable(aws), createAuditTable(aws)]);
  env = {
    AUDIT_TABLE_NAME: auditTable,
    STATE_TABLE_NAME: stateTable,
    DYNAMODB_ENDPOINT: aws.dynamodbEndpoint,
    AWS_REGION: aws.region,
  };
});

afterAll(async () => {
  await Promise.all([deleteTable(aws, stateTable), deleteTable(aws, auditTable)]);
});

describe('GET /v1/audit-events with a forged cursor in the caller’s own chain', () => {
  it.each([
    ['the chain head', { pk: 'CHAIN#0363', sk: 'HEAD' }],
    ['a sort key before every entry', { pk: 'CHAIN#0363', sk: 'A' }],
    ['an empty sort key', { pk: 'CHAIN#0363', sk: '' }],
  ])('%s is a 400 naming cursor, not a 500', async (_case, key) => {
    const handler = listHandler(listDeps(env));
    const answer = await answerOf(
      handler(
        operationEvent('listAuditEvents', {
          client: amsterdam,
          query: { municipality: '0363', cursor: base64url(key) },
        }),
      ),
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  });
});

describe('export jobs listed with a forged cursor in the client’s own partition', () => {
  it.each([
    ['a sort key outside EXPORT#', { pk: 'EXPORTS#municipality-0363', sk: 'A' }],
    ['an empty sort key', { pk: 'EXPORTS#municipality-0363', sk: '' }],
  ])('%s is refused as an invalid cursor', async (_case, key) => {
    const jobs = new DynamoDbExportJobs(aws.documents, auditTable);
    await expect(
      jobs.list('municipality-0363', { limit: 10, cursor: base64url(key) }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('subject access with a forged cursor for the same pupil', () => {
  it('an empty sort key is refused as an invalid cursor', async () => {
    const trail = new DynamoDbPupilAuditTrail(aws.documents, auditTable);
    const cursor = base64url({ sk: '', gsi1pk: 'PUPIL#0363#pp-x', pk: 'CHAIN#0363' });
    await expect(
      trail.listForPupil({ municipality: '0363', pupilPseudonym: 'pp-x', limit: 10, cursor }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
