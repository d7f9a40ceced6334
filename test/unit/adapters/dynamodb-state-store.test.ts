import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/shared/adapters/dynamodb-client.js';
import { DynamoDbStateStore } from '../../../functions/shared/adapters/dynamodb-state-store.js';
import { referralItem, signalItem } from '../../../functions/shared/adapters/state-items.js';
import { storedReferral, storedSignal } from '../../helpers/factories.js';

const TABLE = 'schakel-state';
const dynamo = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbStateStore(createDocumentClient({ AWS_REGION: 'eu-central-1' }), TABLE);
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

describe('DynamoDbStateStore', () => {
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

  describe('getSignalWithReferrals', () => {
    const a = storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-00000000000a' });
    const b = storedReferral({ id: '7e1d9d5f-7a1b-4d64-8a2f-00000000000b', teamId: 'jgt-hillegom' });
    const routed = storedSignal({ status: 'routed', version: 2, referralIds: [a.id, b.id] });
    const signalKeyOf = (id: string) => ({ pk: `SIGNAL#${id}`, sk: 'SIGNAL' });
    const keyOf = (id: string) => ({ pk: `REFERRAL#${id}`, sk: 'REFERRAL' });
    const requested = () =>
      dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]);

    it('reads the signal and the expected referrals in one consistent request', async () => {
      dynamo
        .on(BatchGetCommand)
        .resolves({ Responses: { [TABLE]: [referralItem(b), signalItem(routed), referralItem(a)] } });

      const read = await store.getSignalWithReferrals(routed.id, [a.id, b.id, a.id]);

      expect(read).toEqual({ signal: routed, referrals: [a, b] });
      expect(requested()).toEqual([
        { Keys: [signalKeyOf(routed.id), keyOf(a.id), keyOf(b.id)], ConsistentRead: true },
      ]);
    });

    it('reads a referral of the signal that was not expected after', async () => {
      dynamo
        .on(BatchGetCommand)
        .resolvesOnce({ Responses: { [TABLE]: [signalItem(routed), referralItem(a)] } })
        .resolvesOnce({ Responses: { [TABLE]: [referralItem(b)] } });

      const read = await store.getSignalWithReferrals(routed.id, [a.id]);

      expect(read).toEqual({ signal: routed, referrals: [a, b] });
      expect(requested()).toEqual([
        { Keys: [signalKeyOf(routed.id), keyOf(a.id)], ConsistentRead: true },
        { Keys: [keyOf(b.id)], ConsistentRead: true },
      ]);
    });

    it('answers undefined when the signal is not there', async () => {
      dynamo.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [referralItem(a)] } });

      await expect(store.getSignalWithReferrals(routed.id, [a.id])).resolves.toBeUndefined();
    });
  });

  describe('commit', () => {
    const routed = storedSignal({ status: 'routed', version: 2 });
    const queued = storedReferral({ version: 1 });
    const accepted = storedReferral({ status: 'accepted', version: 3 });
    const conditional = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });

    it('creates a record at version 1 only if it does not exist yet', async () => {
      dynamo.on(PutCommand).resolves({});

      await expect(store.commit([{ entity: 'referral', record: queued }])).resolves.toBe('committed');

      expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: referralItem(queued),
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

    it('replaces version n only where the table holds version n − 1', async () => {
      dynamo.on(PutCommand).resolves({});

      await store.commit([{ entity: 'referral', record: accepted }]);

      expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Item: referralItem(accepted),
        ConditionExpression: 'version = :previous',
        ExpressionAttributeValues: { ':previous': 2 },
      });
    });

    it('writes several records in one transaction, each under its own condition', async () => {
      dynamo.on(TransactWriteCommand).resolves({});

      await expect(
        store.commit([
          { entity: 'referral', record: queued },
          { entity: 'signal', record: routed },
        ]),
      ).resolves.toBe('committed');

      const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems;
      expect(items?.map((i) => i.Put?.ConditionExpression)).toEqual([
        'attribute_not_exists(pk)',
        'version = :previous',
      ]);
      expect(items?.[1]?.Put?.Item).toEqual(signalItem(routed));
      expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    });

    it('answers conflict when the single write’s condition fails', async () => {
      dynamo.on(PutCommand).rejects(conditional);

      await expect(store.commit([{ entity: 'signal', record: routed }])).resolves.toBe('conflict');
    });

    it.each([
      ['the first', ['ConditionalCheckFailed', 'None']],
      ['the second', ['None', 'ConditionalCheckFailed']],
    ])('answers conflict when %s condition of a transaction fails', async (_which, codes) => {
      dynamo.on(TransactWriteCommand).rejects(cancelled(...codes));

      await expect(
        store.commit([
          { entity: 'referral', record: queued },
          { entity: 'signal', record: routed },
        ]),
      ).resolves.toBe('conflict');
    });

    it('rethrows a throttled transaction, so the caller retries', async () => {
      const error = cancelled('ThrottlingError', 'None');
      dynamo.on(TransactWriteCommand).rejects(error);

      await expect(
        store.commit([
          { entity: 'referral', record: queued },
          { entity: 'signal', record: routed },
        ]),
      ).rejects.toBe(error);
    });

    it('rethrows any other failure of a single write', async () => {
      const error = new Error('InternalServerError');
      dynamo.on(PutCommand).rejects(error);

      await expect(store.commit([{ entity: 'signal', record: routed }])).rejects.toBe(error);
    });

    it.each([0, -1, 1.5])('refuses to write version %s', async (version) => {
      await expect(store.commit([{ entity: 'signal', record: { ...routed, version } }])).rejects.toThrow(
        RangeError,
      );
      expect(dynamo.calls()).toHaveLength(0);
    });

    it('writes nothing for nothing', async () => {
      await expect(store.commit([])).resolves.toBe('committed');
      expect(dynamo.calls()).toHaveLength(0);
    });
  });
});
