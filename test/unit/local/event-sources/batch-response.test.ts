import { describe, expect, it } from 'vitest';
import { interpretBatchResponse } from '../../../../local/event-sources/batch-response.js';

describe('interpretBatchResponse', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
  ])('counts %s as full success', (_, response) => {
    expect(interpretBatchResponse(response, ['a', 'b'], true)).toEqual({ kind: 'success' });
  });

  it('reports the named items as failed', () => {
    const outcome = interpretBatchResponse(
      { batchItemFailures: [{ itemIdentifier: 'b' }] },
      ['a', 'b'],
      true,
    );

    expect(outcome).toEqual({ kind: 'partial', failedIds: ['b'] });
  });

  it.each([
    ['an empty identifier', ''],
    ['a null identifier', null],
    ['an identifier not in the batch', 'z'],
  ])('fails the whole batch for %s, as Lambda does', (_, itemIdentifier) => {
    const outcome = interpretBatchResponse({ batchItemFailures: [{ itemIdentifier }] }, ['a', 'b'], true);

    expect(outcome).toEqual({ kind: 'failed', reason: 'invalid-response' });
  });

  it('ignores item failures when the mapping does not report them', () => {
    const outcome = interpretBatchResponse(
      { batchItemFailures: [{ itemIdentifier: 'b' }] },
      ['a', 'b'],
      false,
    );

    expect(outcome).toEqual({ kind: 'success' });
  });
});
