import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/shared/adapters/aws-clients.js';
import { DynamoDbSignalStore } from '../../../functions/shared/adapters/dynamodb-signal-store.js';
import { referralItem, signalItem } from '../../../functions/shared/adapters/state-items.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';

const TABLE = 'schakel-state';
const dynamo = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbSignalStore(createDocumentClient({ region: 'eu-central-1' }), TABLE);
const signal = storedSignal({ sourceClientId: 'school-1', sourceId: 'lvs-000123' });
const sourceKey = { pk: 'SOURCE#school-1#lvs-000123', sk: 'SOURCE' };

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

afterAll(() => dynamo.restore());
beforeEach(() => dynamo.reset());

describe('DynamoDbSignalStore', () => {
  describe('createSignal', () => {
    it('writes the source item and the signal in one transaction, each only if new', async () => {
      dynamo.on(TransactWriteCommand).resolves({});

      const outcome = await store.createSignal(signal);

      expect(outcome).toEqual({ outcome: 'created' });
      const [call] = dynamo.commandCalls(TransactWriteCommand);
      expect(call?.args[0].input.TransactItems).toEqual([
        {
          Put: {
            TableName: TABLE,
            Item: { ...sourceKey, entity: 'source', signalId: signal.id, contentHash: signal.contentHash },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: TABLE,
            Item: signalItem(signal),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
    });

    it('reads the source item and answers exists when the (client, sourceId) condition fails', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
      dynamo.on(GetCommand, { TableName: TABLE, Key: sourceKey }).resolves({
        Item: { ...sourceKey, entity: 'source', signalId: 'first-id', contentHash: 'first-hash' },
      });

      const outcome = await store.createSignal(signal);

      expect(outcome).toEqual({ outcome: 'exists', signalId: 'first-id', contentHash: 'first-hash' });
      expect(dynamo.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: sourceKey,
        ConsistentRead: true,
      });
    });

    it.each([
      ['throttling', ['ThrottlingError', 'None']],
      ['a conflicting transaction', ['TransactionConflict', 'None']],
      ['a condition failure together with throttling', ['ConditionalCheckFailed', 'ThrottlingError']],
      ['a validation problem', ['None', 'ValidationError']],
    ])('rethrows a cancellation for %s without reading', async (_case, codes) => {
      const error = cancelled(...codes);
      dynamo.on(TransactWriteCommand).rejects(error);

      await expect(store.createSignal(signal)).rejects.toBe(error);
      expect(dynamo.commandCalls(GetCommand)).toHaveLength(0);
    });

    it('rethrows an error that is no cancellation', async () => {
      const error = new Error('ProvisionedThroughputExceededException');
      dynamo.on(TransactWriteCommand).rejects(error);

      await expect(store.createSignal(signal)).rejects.toBe(error);
    });

    it('rethrows the cancellation when the condition failed but no source item exists', async () => {
      const error = cancelled('None', 'ConditionalCheckFailed');
      dynamo.on(TransactWriteCommand).rejects(error);
      dynamo.on(GetCommand).resolves({});

      await expect(store.createSignal(signal)).rejects.toBe(error);
    });
  });

  describe('getReferrals', () => {
    const a = storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-00000000000a' });
    const b = storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-00000000000b', teamId: 'jgt-hillegom' });
    const keyOf = (id: string) => ({ pk: `REFERRAL#${id}`, sk: 'REFERRAL' });

    it('asks again for unprocessed keys and returns every referral in the order asked', async () => {
      dynamo
        .on(BatchGetCommand)
        .resolvesOnce({
          Responses: { [TABLE]: [referralItem(b)] },
          UnprocessedKeys: { [TABLE]: { Keys: [keyOf(a.id)] } },
        })
        .resolvesOnce({ Responses: { [TABLE]: [referralItem(a)] } });

      const referrals = await store.getReferrals([a.id, b.id]);

      expect(referrals).toEqual([a, b]);
      const requested = dynamo
        .commandCalls(BatchGetCommand)
        .map((c) => c.args[0].input.RequestItems?.[TABLE]);
      expect(requested).toEqual([
        { Keys: [keyOf(a.id), keyOf(b.id)], ConsistentRead: true },
        { Keys: [keyOf(a.id)], ConsistentRead: true },
      ]);
    });

    it('returns the referrals without the table’s key and index attributes', async () => {
      dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [referralItem(a)] } });

      const [referral] = await store.getReferrals([a.id]);

      expect(referral).toEqual(a);
      for (const key of ['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']) {
        expect(referral).not.toHaveProperty(key);
      }
    });

    it('skips ids that do not exist', async () => {
      dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [referralItem(b)] } });

      await expect(store.getReferrals([a.id, b.id])).resolves.toEqual([b]);
    });

    it('does not call DynamoDB for no ids', async () => {
      await expect(store.getReferrals([])).resolves.toEqual([]);
      expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(0);
    });
  });

  describe('routeSignal', () => {
    const referral = storedReferral();

    it('puts the referral only if new and moves the signal only while received', async () => {
      dynamo.on(TransactWriteCommand).resolves({});

      await expect(store.routeSignal(signal, referral)).resolves.toEqual({ outcome: 'routed' });

      const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
      expect(items?.[0]?.Put).toMatchObject({
        Item: referralItem(referral),
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(items?.[1]?.Update).toMatchObject({
        Key: { pk: `SIGNAL#${signal.id}`, sk: 'SIGNAL' },
        ConditionExpression: '#status = :received',
      });
    });

    it.each([
      ['the referral exists', ['ConditionalCheckFailed', 'None']],
      ['the signal is no longer received', ['None', 'ConditionalCheckFailed']],
    ])('answers signal-not-received when %s', async (_case, codes) => {
      dynamo.on(TransactWriteCommand).rejects(cancelled(...codes));

      await expect(store.routeSignal(signal, referral)).resolves.toEqual({ outcome: 'signal-not-received' });
    });

    it('rethrows a throttled transaction, so the message is retried', async () => {
      const error = cancelled('ThrottlingError', 'None');
      dynamo.on(TransactWriteCommand).rejects(error);

      await expect(store.routeSignal(signal, referral)).rejects.toBe(error);
    });
  });

  describe('markUnroutable', () => {
    const change = {
      eventType: 'signal.unroutable' as const,
      at: '2026-11-22T10:00:05.000Z',
      actor: { clientId: 'schakel', role: 'system' as const },
    };

    it('answers false when the signal was no longer received', async () => {
      dynamo
        .on(UpdateCommand)
        .rejects(
          new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
        );

      await expect(store.markUnroutable(signal, change)).resolves.toBe(false);
    });

    it('rethrows any other failure', async () => {
      const error = new Error('InternalServerError');
      dynamo.on(UpdateCommand).rejects(error);

      await expect(store.markUnroutable(signal, change)).rejects.toBe(error);
    });
  });

  describe('withdrawSignal', () => {
    const routed = storedSignal({ status: 'routed', version: 2 });
    const open = storedReferral({ status: 'accepted', version: 3 });
    const change = {
      eventType: 'signal.withdrawn' as const,
      at: '2026-11-24T08:15:00.000Z',
      actor: { clientId: 'school-1', role: 'school' as const },
    };

    it('guards the signal and each referral by the version read', async () => {
      dynamo.on(TransactWriteCommand).resolves({});

      const outcome = await store.withdrawSignal(routed, [open], change, 'Verhuisd');

      const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
      expect(items?.[0]?.Update).toMatchObject({
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: expect.objectContaining({ ':version': 2, ':next': 3 }),
      });
      expect(items?.[1]?.Put).toMatchObject({
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': 3 },
        Item: expect.objectContaining({ status: 'withdrawn', version: 4 }),
      });
      expect(outcome).toMatchObject({
        outcome: 'withdrawn',
        referrals: [{ id: open.id, status: 'withdrawn', version: 4 }],
      });
    });

    it('answers changed-meanwhile when a version condition fails', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));

      await expect(store.withdrawSignal(routed, [open], change, undefined)).resolves.toEqual({
        outcome: 'changed-meanwhile',
      });
    });
  });
});
