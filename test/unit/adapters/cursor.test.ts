import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../functions/shared/adapters/cursor.js';
import { InvalidCursorError } from '../../../functions/shared/errors.js';

const teamKey = {
  pk: 'REFERRAL#7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02',
  sk: 'REFERRAL',
  gsi2pk: 'TEAM#jgt-amsterdam',
  gsi2sk: '2026-11-22T10:00:05.000Z#7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02',
};
const TEAM_KEY_NAMES = ['pk', 'sk', 'gsi2pk', 'gsi2sk'];
const ours = { gsi2pk: 'TEAM#jgt-amsterdam' };

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

    expect(decodeCursor(cursor, ours, TEAM_KEY_NAMES)).toEqual(teamKey);
  });

  it('encodes URL-safe, opaque text', () => {
    expect(encodeCursor(teamKey)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('encodes no key as no cursor and decodes no cursor as no key', () => {
    expect(encodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor(undefined, { pk: 'x' }, ['pk', 'sk'])).toBeUndefined();
  });

  it('refuses a cursor issued for another team as belonging to another query', () => {
    const error = thrown(() =>
      decodeCursor(encodeCursor({ ...teamKey, gsi2pk: 'TEAM#jgt-hillegom' }), ours, TEAM_KEY_NAMES),
    );

    expect(error).toBeInstanceOf(InvalidCursorError);
    expect((error as Error).message).toBe('belongs to another query');
  });

  // Each of these reached DynamoDB before and came back as a 500 (hostile probe, issue 6).
  it.each([
    ['random text', 'not a cursor!'],
    ['base64 of text that is not JSON', Buffer.from('hello').toString('base64url')],
    ['an empty string', ''],
    ['a JSON array', base64url(['TEAM#jgt-amsterdam'])],
    ['JSON null', base64url(null)],
    ['a JSON string', base64url('TEAM#jgt-amsterdam')],
    ['only the partition key', base64url({ gsi2pk: 'TEAM#jgt-amsterdam' })],
    ['the table key without the index key', base64url({ pk: teamKey.pk, sk: teamKey.sk })],
    ['a numeric sort key', base64url({ ...teamKey, gsi2sk: 7 })],
    ['a nested object', base64url({ ...teamKey, sk: { S: 'x' } })],
    ['a boolean', base64url({ ...teamKey, sk: true })],
    ['an extra attribute', base64url({ ...teamKey, status: 'queued' })],
    ['a key value longer than DynamoDB allows', base64url({ ...teamKey, gsi2sk: 'x'.repeat(1025) })],
  ])('refuses %s as not issued by this API', (_case, cursor) => {
    const error = thrown(() => decodeCursor(cursor, ours, TEAM_KEY_NAMES));

    expect(error).toBeInstanceOf(InvalidCursorError);
    expect((error as Error).message).toBe('is not a cursor this API issued');
  });
});
