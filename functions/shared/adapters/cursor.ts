import { z } from 'zod';
import { InvalidCursorError } from '../ports/referral-store.js';

// Page cursors are DynamoDB's LastEvaluatedKey, base64url-encoded: opaque to clients, and
// checked on the way back in so a forged cursor cannot point a query at another partition.

const KeySchema = z.record(z.string(), z.union([z.string(), z.number()]));

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

export function decodeCursor(
  cursor: string | undefined,
  expected: Record<string, string>,
): Record<string, string | number> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not one this API issued');
  }
  const key = KeySchema.safeParse(parsed);
  if (!key.success) throw new InvalidCursorError('cursor is not one this API issued');
  for (const [name, value] of Object.entries(expected)) {
    if (key.data[name] !== value) throw new InvalidCursorError('cursor belongs to another query');
  }
  return key.data;
}
