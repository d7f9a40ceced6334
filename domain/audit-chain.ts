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

/**
 * What a verifier needs to see a missing change: the object an event records and the version of
 * it. Every change of a signal or referral raises its version by one, so the versions of an
 * object's change events (every action but R, a read) must run without a hole.
 */
export interface AuditedLink extends ChainLink {
  action?: string;
  object?: { type: string; id: string; version?: number | undefined };
}

export interface VersionGap {
  objectType: string;
  objectId: string;
  /** Versions between two recorded ones (or before the first, from genesis) that the chain lacks. */
  missing: number[];
  /** Versions recorded more than once: a change appended twice. */
  repeated: number[];
  /** The first entry of the object after a missing version. */
  sequence: number;
}

export type ChainVerification =
  | { valid: true; count: number; lastHash: string }
  | {
      valid: false;
      count: number;
      sequence: number;
      problem: 'sequence-gap' | 'prev-hash-mismatch' | 'hash-mismatch';
    }
  | {
      valid: false;
      count: number;
      sequence: number;
      problem: 'version-gap';
      lastHash: string;
      gaps: VersionGap[];
    };

/**
 * Verifies entries in sequence order: the sequence runs on, each entry links to the one before
 * and hashes to its own hash; then that no object misses a version between two recorded ones. A
 * late-recovered change is appended after later ones, so versions are checked as a set, not in
 * chain order. `startAfter` lets a verifier continue from a known earlier export (its last
 * sequence and hash); by default the chain must start at genesis, and then every object's first
 * version (1) must be there too.
 */
export function verifyChain(
  entries: readonly AuditedLink[],
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
  const gaps = findVersionGaps(entries, { fromGenesis: startAfter.sequence === 0 });
  if (gaps.length > 0) {
    const sequence = Math.min(...gaps.map((g) => g.sequence));
    return {
      valid: false,
      count: entries.length,
      sequence,
      problem: 'version-gap',
      lastHash: prevHash,
      gaps,
    };
  }
  return { valid: true, count: entries.length, lastHash: prevHash };
}

/**
 * Objects whose change events skip or repeat a version. A read names the version it read, so a
 * read of a version beyond the last recorded change shows that change missing too; other than
 * that, a missing last version cannot be seen here: nothing after it says it existed. Entries
 * without an object version (written before versions were recorded) are left out.
 */
export function findVersionGaps(
  entries: readonly AuditedLink[],
  options: { fromGenesis: boolean },
): VersionGap[] {
  interface Known {
    type: string;
    id: string;
    changes: Map<number, number[]>;
    lastRead?: { version: number; sequence: number };
  }
  const byObject = new Map<string, Known>();
  for (const entry of entries) {
    const { object } = entry;
    if (!object || typeof object.version !== 'number') continue;
    const key = `${object.type}\u0000${object.id}`;
    let known = byObject.get(key);
    if (!known) {
      known = { type: object.type, id: object.id, changes: new Map() };
      byObject.set(key, known);
    }
    if (entry.action === 'R') {
      if (!known.lastRead || object.version > known.lastRead.version)
        known.lastRead = { version: object.version, sequence: entry.sequence };
      continue;
    }
    const at = known.changes.get(object.version) ?? [];
    at.push(entry.sequence);
    known.changes.set(object.version, at);
  }
  const gaps: VersionGap[] = [];
  for (const { type, id, changes, lastRead } of byObject.values()) {
    const versions = [...changes.keys()].sort((a, b) => a - b);
    // Continuing a later export, an object's history starts at its first change in it.
    if (versions.length === 0 && !options.fromGenesis) continue;
    const first = options.fromGenesis ? 1 : (versions[0] as number);
    const last = Math.max(versions.at(-1) ?? 0, lastRead?.version ?? 0);
    const missing: number[] = [];
    for (let v = first; v <= last; v++) if (!changes.has(v)) missing.push(v);
    const repeated = versions.filter((v) => (changes.get(v) as number[]).length > 1);
    if (missing.length === 0 && repeated.length === 0) continue;
    // Where a reader of the chain meets the problem: the entry of the version after the hole (or
    // the read beyond the last change), or the second entry of a repeated version.
    const after = versions.find((v) => v > (missing[0] ?? Number.POSITIVE_INFINITY));
    const sequence =
      after !== undefined
        ? Math.min(...(changes.get(after) as number[]))
        : missing.length > 0
          ? (lastRead?.sequence as number)
          : ((changes.get(repeated[0] as number) as number[])[1] as number);
    gaps.push({ objectType: type, objectId: id, missing, repeated, sequence });
  }
  return gaps.sort((a, b) => a.sequence - b.sequence);
}
