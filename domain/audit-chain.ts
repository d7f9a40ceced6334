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
 * Whether an entry hashes to its own `hash`. Read from a file, an entry may hold what has no
 * canonical form (a number too large for a double parses as Infinity): that is a mismatch too.
 */
export function hashesToItself(entry: ChainLink): boolean {
  try {
    return linkHash(entry) === entry.hash;
  } catch {
    return false;
  }
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

/** A link that does not follow from the one before it. */
export type LinkProblem = 'sequence-gap' | 'prev-hash-mismatch' | 'hash-mismatch';
/**
 * An entry that could not be checked as a link: not a JSON object with a sequence and hashes, or
 * (in a CSV file) readable columns that do not say what the entry's JSON says.
 */
export type EntryProblem = 'malformed-entry' | 'row-mismatch';

export type ChainVerification =
  | { valid: true; count: number; lastHash: string }
  | {
      valid: false;
      count: number;
      sequence: number;
      problem: LinkProblem;
      /** The entry's line in the file it was read from, when the reader said. */
      line?: number;
    }
  | {
      valid: false;
      count: number;
      /** The sequence the chain expected there. */
      sequence: number;
      problem: EntryProblem;
      reason: string;
      line?: number;
    }
  | {
      valid: false;
      count: number;
      sequence: number;
      problem: 'version-gap';
      lastHash: string;
      gaps: VersionGap[];
    };

type ChainBreak = Extract<ChainVerification, { problem: LinkProblem | EntryProblem }>;

/**
 * Verifies entries in sequence order, one at a time, so a file of millions verifies in bounded
 * memory: the sequence runs on, each entry links to the one before and hashes to its own hash;
 * at the end, that no object misses a version between two recorded ones. A late-recovered change
 * is appended after later ones, so versions are checked as a set, not in chain order; only the
 * versions are kept, not the entries. `startAfter` continues from a known earlier export (its
 * last sequence and hash); by default the chain must start at genesis, and then every object's
 * first version (1) must be there too. After the first break it records nothing more: what
 * follows a break cannot be trusted to be where it says.
 */
export class ChainVerifier {
  readonly #fromGenesis: boolean;
  readonly #versions = new VersionLedger();
  #expectedSequence: number;
  #prevHash: string;
  #count = 0;
  #broken: ChainBreak | undefined;

  constructor(startAfter: { sequence: number; hash: string } = { sequence: 0, hash: GENESIS_HASH }) {
    this.#fromGenesis = startAfter.sequence === 0;
    this.#expectedSequence = startAfter.sequence + 1;
    this.#prevHash = startAfter.hash;
  }

  get broken(): boolean {
    return this.#broken !== undefined;
  }

  add(entry: AuditedLink, line?: number): void {
    if (this.#broken) return;
    const at = line === undefined ? {} : { line };
    const found = { valid: false as const, count: this.#count, sequence: entry.sequence, ...at };
    if (entry.sequence !== this.#expectedSequence) {
      this.#broken = { ...found, problem: 'sequence-gap' };
    } else if (entry.prevHash !== this.#prevHash) {
      this.#broken = { ...found, problem: 'prev-hash-mismatch' };
    } else if (!hashesToItself(entry)) {
      this.#broken = { ...found, problem: 'hash-mismatch' };
    } else {
      this.#versions.record(entry);
      this.#prevHash = entry.hash;
      this.#expectedSequence += 1;
      this.#count += 1;
    }
  }

  /** An entry the reader could not turn into a link: the chain breaks where it stands. */
  reject(problem: EntryProblem, reason: string, line?: number): void {
    if (this.#broken) return;
    this.#broken = {
      valid: false,
      count: this.#count,
      sequence: this.#expectedSequence,
      problem,
      reason,
      ...(line === undefined ? {} : { line }),
    };
  }

  result(): ChainVerification {
    if (this.#broken) return this.#broken;
    const gaps = this.#versions.gaps({ fromGenesis: this.#fromGenesis });
    if (gaps.length > 0) {
      // Sorted by sequence (and no spread: hundreds of thousands of gaps overflow the stack).
      const sequence = (gaps[0] as VersionGap).sequence;
      return {
        valid: false,
        count: this.#count,
        sequence,
        problem: 'version-gap',
        lastHash: this.#prevHash,
        gaps,
      };
    }
    return { valid: true, count: this.#count, lastHash: this.#prevHash };
  }
}

/** {@link ChainVerifier} over entries at hand. */
export function verifyChain(
  entries: readonly AuditedLink[],
  startAfter: { sequence: number; hash: string } = { sequence: 0, hash: GENESIS_HASH },
): ChainVerification {
  const verifier = new ChainVerifier(startAfter);
  for (const entry of entries) {
    verifier.add(entry);
    if (verifier.broken) break;
  }
  return verifier.result();
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
  const ledger = new VersionLedger();
  for (const entry of entries) ledger.record(entry);
  return ledger.gaps(options);
}

/**
 * What the ledger keeps of an object: versions mostly come one after the other, so they are kept
 * as one run (no memory per version), and only those outside it one by one. That keeps a verifier
 * of millions of events at a few dozen bytes an object.
 */
interface KnownObject {
  type: string;
  id: string;
  /** The unbroken run of versions from the object's first change on. */
  run?: { start: number; end: number; startSequence: number };
  /** Versions outside the run (beyond a hole, or before the first change seen), by first sequence. */
  others?: Map<number, number>;
  /** Versions recorded more than once, with the second entry's sequence. */
  repeats?: Map<number, number>;
  lastRead?: { version: number; sequence: number };
}

/** A hostile file can name version 10^15; the gap is reported, its list of versions cut short. */
const MAX_LISTED_MISSING = 1000;

/** The versions of every object seen, entries taken in chain order. */
class VersionLedger {
  readonly #objects = new Map<string, KnownObject>();

  record({ action, object, sequence }: AuditedLink): void {
    if (!object || typeof object.version !== 'number') return;
    const { version } = object;
    const key = `${object.type}\u0000${object.id}`;
    let known = this.#objects.get(key);
    if (!known) {
      known = { type: object.type, id: object.id };
      this.#objects.set(key, known);
    }
    if (action === 'R') {
      if (!known.lastRead || version > known.lastRead.version) known.lastRead = { version, sequence };
      return;
    }
    const { run } = known;
    if (!run) {
      known.run = { start: version, end: version, startSequence: sequence };
    } else if ((version >= run.start && version <= run.end) || known.others?.has(version)) {
      known.repeats ??= new Map();
      if (!known.repeats.has(version)) known.repeats.set(version, sequence);
    } else if (version === run.end + 1) {
      run.end = version;
      // A change recovered late closes the hole before the versions recorded after it.
      while (known.others?.delete(run.end + 1)) run.end += 1;
    } else {
      known.others ??= new Map();
      known.others.set(version, sequence);
    }
  }

  gaps(options: { fromGenesis: boolean }): VersionGap[] {
    const gaps: VersionGap[] = [];
    for (const { type, id, run, others, repeats, lastRead } of this.#objects.values()) {
      // Continuing a later export, an object's history starts at its first change in it.
      if (!run && !options.fromGenesis) continue;
      const present = [
        ...(run ? [{ start: run.start, end: run.end, sequence: run.startSequence }] : []),
        ...[...(others ?? [])].map(([version, sequence]) => ({ start: version, end: version, sequence })),
      ].sort((a, b) => a.start - b.start);
      const first = options.fromGenesis ? 1 : (present[0]?.start as number);
      const last = Math.max(
        present.reduce((highest, p) => Math.max(highest, p.end), 0),
        lastRead?.version ?? 0,
      );
      const missing = missingVersions(present, first, last);
      const repeated = [...(repeats?.keys() ?? [])].sort((a, b) => a - b);
      if (missing.length === 0 && repeated.length === 0) continue;
      // Where a reader of the chain meets the problem: the entry of the version after the hole (or
      // the read beyond the last change), or the second entry of a repeated version.
      const after = present.find((p) => p.start > (missing[0] ?? Number.POSITIVE_INFINITY));
      const sequence =
        after !== undefined
          ? after.sequence
          : missing.length > 0
            ? (lastRead?.sequence as number)
            : (repeats?.get(repeated[0] as number) as number);
      gaps.push({ objectType: type, objectId: id, missing, repeated, sequence });
    }
    return gaps.sort((a, b) => a.sequence - b.sequence);
  }
}

/** The versions from `first` to `last` that no run of `present` (sorted by start) covers. */
function missingVersions(
  present: readonly { start: number; end: number }[],
  first: number,
  last: number,
): number[] {
  const missing: number[] = [];
  let next = first;
  const holeUntil = (end: number) => {
    for (; next < end && missing.length < MAX_LISTED_MISSING; next++) missing.push(next);
  };
  for (const { start, end } of present) {
    holeUntil(Math.min(start, last + 1));
    next = Math.max(next, end + 1);
  }
  holeUntil(last + 1);
  return missing;
}
