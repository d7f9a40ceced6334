import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../functions/shared/adapters/cursor.js';
import { InvalidCursorError } from '../../../functions/shared/ports/referral-store.js';

const teamKey = {
  pk: 'REFERRAL#7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02',
  sk: 'REFERRAL',
  gsi2pk: 'TEAM#jgt-amsterdam',
  gsi2sk: '2026-11-22T10:00:05.000Z#7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02',
};

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('cursor', () => {
  it('decodes what it encoded, for the same partition', () => {
    const cursor = encodeCursor(teamKey);

    expect(decodeCursor(cursor, { gsi2pk: 'TEAM#jgt-amsterdam' })).toEqual(teamKey);
  });

  it('keeps numbers as numbers', () => {
    const key = { pk: 'CHAIN#0363', sk: 'SEQ#000000000007', sequence: 7 };

    expect(decodeCursor(encodeCursor(key), { pk: 'CHAIN#0363' })).toEqual(key);
  });

  it('encodes URL-safe, opaque text', () => {
    expect(encodeCursor(teamKey)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('encodes no key as no cursor and decodes no cursor as no key', () => {
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor(undefined, { pk: 'x' })).toBeUndefined();
  });

  it.each([
    ['a cursor issued for another team', encodeCursor({ ...teamKey, gsi2pk: 'TEAM#jgt-hillegom' })],
    ['a cursor without the partition key', encodeCursor({ pk: teamKey.pk, sk: teamKey.sk })],
  ])('refuses %s with InvalidCursorError', (_case, cursor) => {
    const error = thrown(() => decodeCursor(cursor, { gsi2pk: 'TEAM#jgt-amsterdam' }));

    expect(error).toBeInstanceOf(InvalidCursorError);
    expect((error as Error).message).toBe('cursor belongs to another query');
  });

  it.each([
    ['random text', 'not a cursor!'],
    ['base64 of text that is not JSON', Buffer.from('hello').toString('base64url')],
    ['an empty string', ''],
    ['a JSON array', base64url(['TEAM#jgt-amsterdam'])],
    ['JSON null', base64url(null)],
    ['a JSON string', base64url('TEAM#jgt-amsterdam')],
    ['a key with a nested object', base64url({ gsi2pk: 'TEAM#jgt-amsterdam', sk: { S: 'x' } })],
    ['a key with a boolean', base64url({ gsi2pk: 'TEAM#jgt-amsterdam', sk: true })],
  ])('refuses %s with InvalidCursorError', (_case, cursor) => {
    const error = thrown(() => decodeCursor(cursor, { gsi2pk: 'TEAM#jgt-amsterdam' }));

    expect(error).toBeInstanceOf(InvalidCursorError);
    expect((error as Error).name).toBe('InvalidCursorError');
  });
});
