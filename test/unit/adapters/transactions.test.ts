import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { failedConditions } from '../../../functions/shared/adapters/transactions.js';

function cancelled(reasons: { Code?: string }[] | undefined): TransactionCanceledException {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    ...(reasons ? { CancellationReasons: reasons } : {}),
  });
}

describe('failedConditions', () => {
  it.each<[string, { Code?: string }[], number[]]>([
    ['the first item', [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }], [0]],
    ['a later item', [{ Code: 'None' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }], [2]],
    [
      'several items',
      [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      [0, 2],
    ],
    ['an item without a code beside a failed one', [{}, { Code: 'ConditionalCheckFailed' }], [1]],
  ])('gives the index of %s whose condition failed', (_case, reasons, expected) => {
    expect(failedConditions(cancelled(reasons))).toEqual(expected);
  });

  it.each<[string, { Code?: string }[] | undefined]>([
    ['throttling', [{ Code: 'ThrottlingError' }, { Code: 'None' }]],
    ['a conflicting transaction', [{ Code: 'None' }, { Code: 'TransactionConflict' }]],
    [
      'a failed condition together with throttling',
      [{ Code: 'ConditionalCheckFailed' }, { Code: 'ThrottlingError' }],
    ],
    [
      'a failed condition together with a conflict',
      [{ Code: 'TransactionConflict' }, { Code: 'ConditionalCheckFailed' }],
    ],
    ['an item too large', [{ Code: 'ItemCollectionSizeLimitExceeded' }]],
    ['no failed condition at all', [{ Code: 'None' }, { Code: 'None' }]],
    ['no reasons', undefined],
  ])('rethrows a cancellation for %s', (_case, reasons) => {
    const error = cancelled(reasons);

    expect(() => failedConditions(error)).toThrow(error);
  });

  it.each([
    ['a plain Error', new Error('network down')],
    ['a string', 'boom'],
    [
      'an error merely named like a cancellation',
      Object.assign(new Error('x'), { name: 'TransactionCanceledException' }),
    ],
  ])('rethrows %s unchanged', (_case, error) => {
    let thrown: unknown;
    try {
      failedConditions(error);
    } catch (caught) {
      thrown = caught;
    }

    expect(thrown).toBe(error);
  });
});
