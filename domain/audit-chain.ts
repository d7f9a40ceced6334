// The audit trail is hash chained per municipality (NEN 7513 asks for logs that cannot be altered
// unnoticed): each entry's hash covers the previous entry's hash and the entry's own canonical
// JSON (RFC 8785), so an export can be verified offline from the first entry to the last.

import { canonicalJson, sha256Hex } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainLink {
  sequence: number;
  prevHash: string;
  hash: string;
}

/** The hash of an entry: everything but its own `hash` field, chained to `prevHash`. */
export function linkHash<T extends ChainLink>(entry: Omit<T, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = entry;
  return sha256Hex(`${entry.prevHash}\n${canonicalJson(rest)}`);
}

export type ChainVerification =
  | { valid: true; count: number; lastHash: string }
  | {
      valid: false;
      count: number;
      sequence: number;
      problem: 'sequence-gap' | 'prev-hash-mismatch' | 'hash-mismatch';
    };

/**
 * Verifies entries in sequence order. `startAfter` lets a verifier continue from a known
 * earlier export (its last sequence and hash); by default the chain must start at genesis.
 */
export function verifyChain(
  entries: readonly ChainLink[],
  startAfter: { sequence: number; hash: string } = { sequence: 0, hash: GENESIS_HASH },
): ChainVerification {
  let expectedSequence = startAfter.sequence + 1;
  let prevHash = startAfter.hash;
  for (const [index, entry] of entries.entries()) {
    if (entry.sequence !== expectedSequence) {
      return { valid: false, count: index, sequence: entry.sequence, problem: 'sequence-gap' };
    }
    if (entry.prevHash !== prevHash) {
      return { valid: false, count: index, sequence: entry.sequence, problem: 'prev-hash-mismatch' };
    }
    if (linkHash(entry) !== entry.hash) {
      return { valid: false, count: index, sequence: entry.sequence, problem: 'hash-mismatch' };
    }
    prevHash = entry.hash;
    expectedSequence += 1;
  }
  return { valid: true, count: entries.length, lastHash: prevHash };
}
