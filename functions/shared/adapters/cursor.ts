import * as z from 'zod/mini';
import { InvalidCursorError } from '../errors.js';

// Page cursors are DynamoDB's LastEvaluatedKey, base64url-encoded: opaque to clients, and
// checked on the way back in — exactly the key attributes of the query, each a string DynamoDB
// accepts as a key, and the partition of the caller's own query — so a forged cursor can neither
// point a query at another partition nor make DynamoDB refuse the request (a 500).

/** DynamoDB's limit for a sort key value; partition keys may be longer, ours never are. */
const MAX_KEY_BYTES = 1024;

const KeyValueSchema = z
  .string()
  .check(z.refine((value) => Buffer.byteLength(value, 'utf8') <= MAX_KEY_BYTES));

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(
  cursor: string | undefined,
  expected: Record<string, string>,
  keyNames: readonly string[],
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('is not a cursor this API issued');
  }
  const shape = Object.fromEntries(keyNames.map((name) => [name, KeyValueSchema]));
  const key = z.strictObject(shape).safeParse(parsed);
  if (!key.success) throw new InvalidCursorError('is not a cursor this API issued');
  for (const [name, value] of Object.entries(expected)) {
    if (key.data[name] !== value) throw new InvalidCursorError('belongs to another query');
  }
  return key.data as Record<string, string>;
}
