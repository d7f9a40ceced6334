import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../functions/shared/adapters/cursor.js';
import { parseWith } from '../../../functions/shared/http/invalid-params.js';
import { AuditQuerySchema } from '../../../schemas/audit-event.js';
import { CursorQuerySchema, cursorKey } from '../../../schemas/common.js';

const invalid = (schema: Parameters<typeof parseWith>[0], input: unknown) => {
  const result = parseWith(schema, input, { unknownKey: 'is not a query parameter of this operation' });
  return result.ok ? [] : result.invalidParams;
};

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const issued = encodeCursor({ pk: 'CHAIN#0363', sk: 'SEQ#000000000001' }) as string;

describe('the form of a cursor', () => {
  it('takes every cursor the stores issue', () => {
    expect(cursorKey(issued)).toEqual({ pk: 'CHAIN#0363', sk: 'SEQ#000000000001' });
    expect(invalid(CursorQuerySchema, { cursor: issued })).toEqual([]);
  });

  it.each([
    ['text that is not base64url', '!!!'],
    ['padding', `${issued}=`],
    ['base64 of text that is not JSON', b64('hello')],
    ['an array', b64('["x"]')],
    ['null', b64('null')],
    ['an empty object', b64('{}')],
    ['a number among the values', b64('{"pk":"x","sk":7}')],
    ['a value longer than a DynamoDB key', b64(JSON.stringify({ pk: 'x', sk: 'k'.repeat(1025) }))],
  ])('refuses %s, named beside the other bad parameters', (_, cursor) => {
    expect(cursorKey(cursor)).toBeUndefined();
    expect(invalid(CursorQuerySchema, { cursor, limit: '0' }).map((p) => p.name)).toEqual([
      'cursor',
      'limit',
    ]);
  });
});

describe('the audit query', () => {
  it('names `to` not after `from` beside a bad cursor and a missing municipality', () => {
    const params = invalid(AuditQuerySchema, {
      from: '2026-11-22T10:00:00+01:00',
      to: '2026-11-22T09:00:00Z',
      cursor: '!!!',
    });

    expect(params).toEqual(
      expect.arrayContaining([
        { name: 'municipality', reason: 'is required' },
        { name: 'cursor', reason: 'is not a cursor this API issued' },
        { name: 'to', reason: 'must be later than from' },
      ]),
    );
    expect(params).toHaveLength(3);
  });

  it('names an unknown parameter beside `to` not after `from`', () => {
    const params = invalid(AuditQuerySchema, {
      municipality: '0363',
      from: '2026-11-22T10:00:00Z',
      to: '2026-11-22T10:00:00Z',
      debug: '1',
    });

    expect(params.map((p) => p.name).sort()).toEqual(['debug', 'to']);
  });

  it('does not compare `from` and `to` when one of them is not a date-time', () => {
    expect(
      invalid(AuditQuerySchema, { municipality: '0363', from: 'yesterday', to: '2026-11-22T10:00:00Z' }),
    ).toEqual([{ name: 'from', reason: 'must be an RFC 3339 date-time with offset' }]);
  });
});

describe('the page size', () => {
  it.each(['0x10', '1e2', ' 5', '5.0', '+5', '05', '0', '101', 'ten'])(
    'refuses limit=%s, naming limit',
    (limit) => {
      expect(invalid(CursorQuerySchema, { limit }).map((p) => p.name)).toEqual(['limit']);
    },
  );

  it.each([
    ['1', 1],
    ['100', 100],
  ])('takes limit=%s', (limit, expected) => {
    const result = CursorQuerySchema.safeParse({ limit });
    expect(result.success && result.data.limit).toBe(expected);
  });

  it('defaults to 50', () => {
    const result = CursorQuerySchema.safeParse({});
    expect(result.success && result.data.limit).toBe(50);
  });
});
