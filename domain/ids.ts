import { createHash } from 'node:crypto';

/**
 * A UUID derived from its parts (RFC 9562 version 8, "custom"): the same signal routed to the
 * same team always yields the same referral id, so a redelivered intake message cannot create
 * a second referral and teams can deduplicate on it.
 */
export function derivedUuid(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u001f'), 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
