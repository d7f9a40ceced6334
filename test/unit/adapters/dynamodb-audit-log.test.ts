import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GENESIS_HASH, verifyChain } from '../../../domain/audit-chain.js';
import { encodeCursor } from '../../../functions/shared/adapters/cursor.js';
import { DynamoDbAuditLog } from '../../../functions/shared/adapters/dynamodb-audit-log.js';
import { createDocumentClient } from '../../../functions/shared/adapters/dynamodb-client.js';
import { InvalidCursorError } from '../../../functions/shared/errors.js';
import type { AuditEntryDraft } from '../../../functions/shared/ports/audit-log.js';
import { type AuditEvent, AuditEventSchema } from '../../../schemas/audit-event.js';
import { fixedClock } from '../../helpers/fakes.js';

const TABLE = 'schakel-audit';
const dynamo = mockClient(DynamoDBDocumentClient);
const log = new DynamoDbAuditLog(
  createDocumentClient({ AWS_REGION: 'eu-central-1' }),
  TABLE,
  fixedClock('2026-11-22T10:00:07.000Z'),
);
const headKey = { pk: 'CHAIN#0363', sk: 'HEAD' };

const draft: AuditEntryDraft = {
  id: 'SIGNAL#5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01#v1',
  municipality: '0363',
  occurredAt: '2026-11-22T10:00:00.000Z',
  action: 'C',
  eventType: 'signal.received',
  outcome: 'success',
  actor: { clientId: 'school-1', role: 'school', organisation: 'Stichting De Regenboog' },
  onBehalfOf: { schoolLocation: '12AB00' },
  object: {
    type: 'signal',
    id: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
    signalId: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
  },
  purpose: 'youth-care-access',
};

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

const writes = () =>
  dynamo.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems ?? []);
const entryOf = (items: ReturnType<typeof writes>[number]) => items[2]?.Put?.Item?.entry as AuditEvent;

afterAll(() => dynamo.restore());

beforeEach(() => {
  dynamo.reset();
  vi.restoreAllMocks();
  // No waiting between attempts: the backoff is random × cap.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

describe('DynamoDbAuditLog', () => {
  describe('append', () => {
    it('starts a municipality’s chain at sequence 1 on the genesis hash', async () => {
      dynamo.on(GetCommand).resolves({});
      dynamo.on(TransactWriteCommand).resolves({});

      const outcome = await log.append('0363', [draft]);

      expect(outcome).toEqual({ appended: 1, duplicates: 0 });
      const [items] = writes();
      const entry = entryOf(items ?? []);
      expect(AuditEventSchema.parse(entry)).toEqual({
        ...draft,
        sequence: 1,
        recordedAt: '2026-11-22T10:00:07.000Z',
        prevHash: GENESIS_HASH,
        hash: entry.hash,
      });
      expect(verifyChain([entry])).toMatchObject({ valid: true, count: 1 });
      expect(items?.map((i) => [i.Put?.Item?.pk, i.Put?.Item?.sk, i.Put?.ConditionExpression])).toEqual([
        [`EVENT#${draft.id}`, 'EVENT', 'attribute_not_exists(pk)'],
        ['CHAIN#0363', 'HEAD', 'attribute_not_exists(pk)'],
        ['CHAIN#0363', 'SEQ#000000000001', 'attribute_not_exists(pk)'],
      ]);
      expect(items?.[1]?.Put?.Item).toEqual({
        ...headKey,
        sequence: 1,
        hash: entry.hash,
        recordedAt: entry.recordedAt,
      });
    });

    it('links to the head: next sequence, previous hash, and a head guarded by the sequence read', async () => {
      const prevHash = 'ab'.repeat(32);
      dynamo
        .on(GetCommand, { Key: headKey })
        .resolves({ Item: { ...headKey, sequence: 41, hash: prevHash } });
      dynamo.on(TransactWriteCommand).resolves({});

      await log.append('0363', [draft]);

      const [items] = writes();
      expect(entryOf(items ?? [])).toMatchObject({ sequence: 42, prevHash });
      expect(items?.[1]?.Put).toMatchObject({
        ConditionExpression: '#seq = :seq',
        ExpressionAttributeNames: { '#seq': 'sequence' },
        ExpressionAttributeValues: { ':seq': 41 },
      });
      expect(items?.[2]?.Put?.Item?.sk).toBe('SEQ#000000000042');
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
    });

    it('appends a batch in chunks of 49 events per transaction after one read of the head', async () => {
      dynamo.on(GetCommand).resolves({ Item: { ...headKey, sequence: 10, hash: 'cd'.repeat(32) } });
      dynamo.on(TransactWriteCommand).resolves({});
      const drafts = Array.from({ length: 100 }, (_, i) => ({ ...draft, id: `${draft.id}-${i}` }));

      await expect(log.append('0363', drafts)).resolves.toEqual({ appended: 100, duplicates: 0 });

      expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);
      expect(writes().map((items) => items.length)).toEqual([99, 99, 5]);
      const entries = writes().flatMap((items) =>
        items.filter((i) => String(i.Put?.Item?.sk).startsWith('SEQ#')).map((i) => i.Put?.Item?.entry),
      ) as AuditEvent[];
      expect(entries.map((e) => e.id)).toEqual(drafts.map((d) => d.id));
      expect(verifyChain(entries, { sequence: 10, hash: 'cd'.repeat(32) })).toMatchObject({ valid: true });
      // Each later transaction moves the head from where the one before left it, without reading.
      expect(
        writes().map(
          (items) => items.find((i) => i.Put?.Item?.sk === 'HEAD')?.Put?.ExpressionAttributeValues,
        ),
      ).toEqual([{ ':seq': 10 }, { ':seq': 59 }, { ':seq': 108 }]);
    });

    it('leaves out a draft already in the chain and chains the others in their order', async () => {
      dynamo.on(GetCommand).resolves({});
      const drafts = ['a', 'b', 'c'].map((id) => ({ ...draft, id }));
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', 'ConditionalCheckFailed', 'None', 'None', 'None', 'None', 'None'))
        .resolves({});

      await expect(log.append('0363', drafts)).resolves.toEqual({ appended: 2, duplicates: 1 });

      const retried = writes()[1] ?? [];
      expect(retried.map((i) => i.Put?.Item?.pk)).toEqual([
        'EVENT#a',
        'EVENT#c',
        'CHAIN#0363',
        'CHAIN#0363',
        'CHAIN#0363',
      ]);
      expect(retried.slice(3).map((i) => [i.Put?.Item?.entry.id, i.Put?.Item?.entry.sequence])).toEqual([
        ['a', 1],
        ['c', 2],
      ]);
      expect(dynamo.commandCalls(GetCommand)).toHaveLength(1);
    });

    it('says how many drafts are in the chain when a later transaction fails', async () => {
      const error = new Error('connection reset');
      dynamo.on(GetCommand).resolves({});
      dynamo.on(TransactWriteCommand).resolvesOnce({}).rejects(error);
      const drafts = Array.from({ length: 60 }, (_, i) => ({ ...draft, id: `e${i}` }));

      await expect(log.append('0363', drafts)).rejects.toMatchObject({
        name: 'AuditAppendError',
        done: 49,
        cause: error,
      });
    });

    it('refuses a draft of another municipality before writing anything', async () => {
      await expect(log.append('0534', [draft])).rejects.toThrow(RangeError);
      expect(writes()).toHaveLength(0);
    });

    it.each([
      ['only the event marker', ['ConditionalCheckFailed', 'None', 'None']],
      ['the marker and the head', ['ConditionalCheckFailed', 'ConditionalCheckFailed', 'None']],
    ])('answers duplicate, without retrying, when %s condition fails', async (_case, codes) => {
      dynamo.on(GetCommand).resolves({ Item: { ...headKey, sequence: 3, hash: 'cd'.repeat(32) } });
      dynamo.on(TransactWriteCommand).rejects(cancelled(...codes));

      await expect(log.append('0363', [draft])).resolves.toEqual({ appended: 0, duplicates: 1 });
      expect(writes()).toHaveLength(1);
    });

    it.each([
      ['moved the head', 'ConditionalCheckFailed'],
      ['transacted on the head at the same moment', 'TransactionConflict'],
    ])('reads the new head and tries again when another writer %s', async (_case, code) => {
      dynamo
        .on(GetCommand)
        .resolvesOnce({ Item: { ...headKey, sequence: 3, hash: 'cd'.repeat(32) } })
        .resolvesOnce({ Item: { ...headKey, sequence: 4, hash: 'ef'.repeat(32) } });
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', code, 'None'))
        .resolvesOnce({});

      const outcome = await log.append('0363', [draft]);

      expect(outcome).toEqual({ appended: 1, duplicates: 0 });
      expect(dynamo.commandCalls(GetCommand)).toHaveLength(2);
      expect(writes().map((items) => entryOf(items))).toMatchObject([
        { sequence: 4, prevHash: 'cd'.repeat(32) },
        { sequence: 5, prevHash: 'ef'.repeat(32) },
      ]);
    });

    it('tries again when the sequence item already exists', async () => {
      dynamo.on(GetCommand).resolves({});
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', 'None', 'ConditionalCheckFailed'))
        .resolves({});

      await expect(log.append('0363', [draft])).resolves.toEqual({ appended: 1, duplicates: 0 });
      expect(writes()).toHaveLength(2);
    });

    it('gives up with an error after 40 lost races, so the stream retries the record', async () => {
      dynamo.on(GetCommand).resolves({ Item: { ...headKey, sequence: 3, hash: 'cd'.repeat(32) } });
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));

      const failure = log.append('0363', [draft]);

      await expect(failure).rejects.toMatchObject({ name: 'AuditAppendError', done: 0 });
      await expect(failure.catch((e: Error) => Promise.reject(e.cause))).rejects.toThrow(
        'audit chain 0363 stayed contended',
      );
      expect(writes()).toHaveLength(40);
    });

    it('rethrows a throttled transaction at once', async () => {
      const error = cancelled('None', 'ThrottlingError', 'None');
      dynamo.on(GetCommand).resolves({});
      dynamo.on(TransactWriteCommand).rejects(error);

      await expect(log.append('0363', [draft])).rejects.toMatchObject({ done: 0, cause: error });
      expect(writes()).toHaveLength(1);
    });
  });

  describe('list', () => {
    it('queries the municipality’s sequence items with the time window as a filter', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [] });

      await log.list({
        municipality: '0363',
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
        limit: 10,
      });

      expect(dynamo.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :seq)',
        FilterExpression: '#entry.occurredAt >= :from AND #entry.occurredAt < :to',
        ExpressionAttributeValues: {
          ':pk': 'CHAIN#0363',
          ':seq': 'SEQ#',
          ':from': '2026-11-01T00:00:00.000Z',
          ':to': '2026-12-01T00:00:00.000Z',
        },
        Limit: 10,
      });
    });

    it('keeps reading while a filtered page is short and hands out a cursor for the rest', async () => {
      const entry = (n: number) => ({ pk: 'CHAIN#0363', sk: `SEQ#00000000000${n}`, entry: { sequence: n } });
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [entry(1)], LastEvaluatedKey: { pk: 'CHAIN#0363', sk: 'SEQ#000000000003' } })
        .resolvesOnce({ Items: [entry(4)], LastEvaluatedKey: { pk: 'CHAIN#0363', sk: 'SEQ#000000000004' } });

      const page = await log.list({ municipality: '0363', limit: 2 });

      expect(page.items).toEqual([{ sequence: 1 }, { sequence: 4 }]);
      expect(page.next).toBe(encodeCursor({ pk: 'CHAIN#0363', sk: 'SEQ#000000000004' }));
      expect(dynamo.commandCalls(QueryCommand).map((c) => c.args[0].input.Limit)).toEqual([2, 1]);
    });

    it('refuses a cursor of another municipality’s chain without querying', async () => {
      const cursor = encodeCursor({ pk: 'CHAIN#0534', sk: 'SEQ#000000000001' });

      await expect(log.list({ municipality: '0363', limit: 10, cursor })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
      expect(dynamo.commandCalls(QueryCommand)).toHaveLength(0);
    });
  });
});

describe('DynamoDbAuditLog append deadline', () => {
  it('gives an append up when its transaction has not committed within the deadline, so no entry lands long after its recordedAt', async () => {
    let signal: AbortSignal | undefined;
    const hanging = {
      async send(command: unknown, options?: { abortSignal?: AbortSignal }) {
        if (command instanceof GetCommand) return { Item: undefined };
        signal = options?.abortSignal;
        // A transaction whose answer never comes, until the request is aborted.
        return new Promise((_, reject) => {
          signal?.addEventListener('abort', () => reject(signal?.reason));
        });
      },
    } as unknown as DynamoDBDocumentClient;
    const slow = new DynamoDbAuditLog(hanging, TABLE, fixedClock('2026-11-22T10:00:07.000Z'), 50);

    await expect(slow.append('0363', [draft])).rejects.toMatchObject({ name: 'AuditAppendError', done: 0 });
    expect(signal?.aborted).toBe(true);
  });
});
