import { cursorKey } from '../../../schemas/common.js';
import { InvalidCursorError } from '../errors.js';

// Page cursors are DynamoDB's LastEvaluatedKey, base64url-encoded: opaque to clients, and
// checked on the way back in — exactly the key attributes of the query, each a string DynamoDB
// accepts as a key, and the partition of the caller's own query — so a forged cursor can neither
// point a query at another partition nor make DynamoDB refuse the request (a 500).

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/**
 * The key a cursor carries, checked against the query: exactly `keyNames`, the values of
 * `expected`, and for each of `prefixes` a value that starts with that prefix and goes on (a sort
 * key outside the query's range, or empty, would make DynamoDB refuse the request).
 */
export function decodeCursor(
  cursor: string | undefined,
  expected: Record<string, string>,
  keyNames: readonly string[],
  prefixes: Readonly<Record<string, string>> = {},
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const key = cursorKey(cursor);
  const names = key ? Object.keys(key) : [];
  if (!key || names.length !== keyNames.length || !keyNames.every((name) => Object.hasOwn(key, name))) {
    throw new InvalidCursorError('is not a cursor this API issued');
  }
  for (const [name, value] of Object.entries(expected)) {
    if (key[name] !== value) throw new InvalidCursorError('belongs to another query');
  }
  for (const [name, prefix] of Object.entries(prefixes)) {
    const value = key[name] ?? '';
    if (!value.startsWith(prefix) || value.length === prefix.length) {
      throw new InvalidCursorError('is not a cursor this API issued');
    }
  }
  return key;
}
