import { describe, expect, it } from 'vitest';
import { toLambdaAttributeValue } from '../../../../local/event-sources/stream-records.js';

describe('toLambdaAttributeValue', () => {
  it('encodes binary values as base64, as in the Lambda event', () => {
    const value = toLambdaAttributeValue({
      M: { b: { B: new Uint8Array([1, 2, 255]) }, l: { L: [{ N: '1' }] } },
    });

    expect(value).toEqual({ M: { b: { B: 'AQL/' }, l: { L: [{ N: '1' }] } } });
  });

  it('reads the untyped empty value of DynamoDB Local streams as an empty map', () => {
    expect(toLambdaAttributeValue({ M: { scope: {} as never } })).toEqual({ M: { scope: { M: {} } } });
  });
});
