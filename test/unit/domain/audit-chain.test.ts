import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ChainLink, GENESIS_HASH, linkHash, verifyChain } from '../../../domain/audit-chain.js';

interface Entry extends ChainLink {
  municipality: string;
  eventType: string;
  object: { type: 'referral'; id: string };
  details?: Record<string, string | number>;
}

const EVENT_TYPES = [
  'referral.queued',
  'referral.delivered',
  'referral.accepted',
  'referral.started',
  'referral.closed',
];

function buildChain(count: number, first = { sequence: 0, hash: GENESIS_HASH }): Entry[] {
  const entries: Entry[] = [];
  let prevHash = first.hash;
  for (let i = 1; i <= count; i++) {
    const unhashed: Omit<Entry, 'hash'> = {
      sequence: first.sequence + i,
      prevHash,
      municipality: '0363',
      eventType: EVENT_TYPES[(i - 1) % EVENT_TYPES.length] as string,
      object: { type: 'referral', id: `referral-${i}` },
      details: { attempt: i },
    };
    const entry: Entry = { ...unhashed, hash: linkHash<Entry>(unhashed) };
    entries.push(entry);
    prevHash = entry.hash;
  }
  return entries;
}

describe('linkHash', () => {
  it('is SHA-256 of the previous hash, a newline and the RFC 8785 JSON of the entry without its hash', () => {
    const entry = { sequence: 1, prevHash: GENESIS_HASH, b: 'x', a: 2 };
    const canonical = `{"a":2,"b":"x","prevHash":"${GENESIS_HASH}","sequence":1}`;
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${canonical}`).digest('hex');

    expect(linkHash(entry)).toBe(expected);
  });

  it('ignores the entry’s own hash field', () => {
    const entry = { sequence: 1, prevHash: GENESIS_HASH, a: 1 };

    expect(linkHash({ ...entry, hash: 'f'.repeat(64) })).toBe(linkHash(entry));
  });

  it('gives the same hash whatever the key order', () => {
    const one = { sequence: 1, prevHash: GENESIS_HASH, object: { id: 'x', type: 'referral' }, a: 1 };
    const two = { a: 1, object: { type: 'referral', id: 'x' }, prevHash: GENESIS_HASH, sequence: 1 };

    expect(linkHash(two)).toBe(linkHash(one));
  });

  it.each([
    ['a nested value', { object: { id: 'y' } }],
    ['the sequence', { sequence: 2 }],
    ['the previous hash', { prevHash: '1'.repeat(64) }],
    ['an added field', { purpose: 'audit' }],
  ])('changes when %s changes', (_label, change) => {
    const entry: ChainLink & Record<string, unknown> = {
      sequence: 1,
      prevHash: GENESIS_HASH,
      hash: '',
      object: { id: 'x' },
    };
    const changed: ChainLink & Record<string, unknown> = { ...entry, ...change };

    expect(linkHash(changed)).not.toBe(linkHash(entry));
  });
});

describe('verifyChain', () => {
  it('accepts a chain built with linkHash from genesis', () => {
    const entries = buildChain(5);

    expect(verifyChain(entries)).toEqual({ valid: true, count: 5, lastHash: entries[4]?.hash });
  });

  it('accepts an empty export and reports the starting hash as the last', () => {
    expect(verifyChain([])).toEqual({ valid: true, count: 0, lastHash: GENESIS_HASH });
  });

  it.each([
    ['a top-level field', (e: Entry) => ({ ...e, eventType: 'referral.rejected' })],
    ['a nested field', (e: Entry) => ({ ...e, object: { ...e.object, id: 'referral-99' } })],
    ['a detail value', (e: Entry) => ({ ...e, details: { attempt: 42 } })],
    ['an added field', (e: Entry) => ({ ...e, extra: 'x' })],
    ['a removed field', ({ details: _removed, ...e }: Entry) => e],
    ['the hash itself', (e: Entry) => ({ ...e, hash: 'a'.repeat(64) })],
  ])('reports hash-mismatch at the tampered entry when %s changes', (_label, tamper) => {
    const entries: ChainLink[] = buildChain(5);
    entries[2] = tamper(entries[2] as Entry);

    expect(verifyChain(entries)).toEqual({ valid: false, count: 2, sequence: 3, problem: 'hash-mismatch' });
  });

  it('reports prev-hash-mismatch at the next entry when a tampered entry’s hash is recomputed', () => {
    const entries = buildChain(5);
    const tampered = { ...(entries[2] as Entry), eventType: 'referral.rejected' };
    entries[2] = { ...tampered, hash: linkHash<Entry>(tampered) };

    expect(verifyChain(entries)).toEqual({
      valid: false,
      count: 3,
      sequence: 4,
      problem: 'prev-hash-mismatch',
    });
  });

  it('reports prev-hash-mismatch when an entry’s prevHash is changed', () => {
    const entries = buildChain(5);
    entries[3] = { ...(entries[3] as Entry), prevHash: 'b'.repeat(64) };

    expect(verifyChain(entries)).toEqual({
      valid: false,
      count: 3,
      sequence: 4,
      problem: 'prev-hash-mismatch',
    });
  });

  it('reports prev-hash-mismatch when prevHash and hash are both rewritten consistently for one entry', () => {
    const entries = buildChain(5);
    const rewritten = { ...(entries[3] as Entry), prevHash: 'b'.repeat(64) };
    entries[3] = { ...rewritten, hash: linkHash<Entry>(rewritten) };

    expect(verifyChain(entries)).toEqual({
      valid: false,
      count: 3,
      sequence: 4,
      problem: 'prev-hash-mismatch',
    });
  });

  it('reports prev-hash-mismatch at sequence 1 when the chain does not start at genesis', () => {
    const entries = buildChain(3, { sequence: 0, hash: 'c'.repeat(64) });

    expect(verifyChain(entries)).toEqual({
      valid: false,
      count: 0,
      sequence: 1,
      problem: 'prev-hash-mismatch',
    });
  });

  it.each([
    [1, 2, 0],
    [3, 4, 2],
    [4, 5, 3],
  ])('reports sequence-gap when entry %i is deleted', (deleted, reportedSequence, count) => {
    const entries = buildChain(5).filter((e) => e.sequence !== deleted);

    expect(verifyChain(entries)).toEqual({
      valid: false,
      count,
      sequence: reportedSequence,
      problem: 'sequence-gap',
    });
  });

  it('reports sequence-gap at the first out-of-order entry when two entries are swapped', () => {
    const entries = buildChain(5);
    [entries[1], entries[2]] = [entries[2] as Entry, entries[1] as Entry];

    expect(verifyChain(entries)).toEqual({ valid: false, count: 1, sequence: 3, problem: 'sequence-gap' });
  });

  it('reports prev-hash-mismatch when entries are swapped and renumbered', () => {
    const entries = buildChain(5);
    const second = entries[1] as Entry;
    const third = entries[2] as Entry;
    entries[1] = { ...third, sequence: 2 };
    entries[2] = { ...second, sequence: 3 };

    expect(verifyChain(entries)).toMatchObject({
      valid: false,
      count: 1,
      sequence: 2,
      problem: 'prev-hash-mismatch',
    });
  });

  it('reports sequence-gap when an entry is duplicated', () => {
    const entries = buildChain(3);
    entries.splice(2, 0, entries[1] as Entry);

    expect(verifyChain(entries)).toEqual({ valid: false, count: 2, sequence: 2, problem: 'sequence-gap' });
  });

  describe('with startAfter', () => {
    it('continues from a known earlier export', () => {
      const all = buildChain(6);
      const earlier = all.slice(0, 3);
      const later = all.slice(3);
      const checkpoint = verifyChain(earlier);
      if (!checkpoint.valid) throw new Error('earlier export must verify');

      const result = verifyChain(later, { sequence: 3, hash: checkpoint.lastHash });

      expect(result).toEqual({ valid: true, count: 3, lastHash: all[5]?.hash });
    });

    it('rejects a continuation whose first prevHash is not the checkpoint hash', () => {
      const later = buildChain(6).slice(3);

      expect(verifyChain(later, { sequence: 3, hash: 'd'.repeat(64) })).toEqual({
        valid: false,
        count: 0,
        sequence: 4,
        problem: 'prev-hash-mismatch',
      });
    });

    it('rejects a continuation that does not follow the checkpoint sequence', () => {
      const all = buildChain(6);
      const later = all.slice(4);

      expect(verifyChain(later, { sequence: 3, hash: all[2]?.hash as string })).toEqual({
        valid: false,
        count: 0,
        sequence: 5,
        problem: 'sequence-gap',
      });
    });

    it('rejects a chain from genesis when verified as a continuation', () => {
      const entries = buildChain(3);

      expect(verifyChain(entries, { sequence: 3, hash: entries[2]?.hash as string })).toMatchObject({
        valid: false,
        problem: 'sequence-gap',
        sequence: 1,
      });
    });
  });
});

describe('verifyChain on object versions', () => {
  type Change = { type: 'signal' | 'referral'; id: string; version: number; action?: string };

  /** A change of signal `s…` or referral `r…` at a version. */
  const v = (id: string, version: number, action = 'U'): Change => ({
    type: id.startsWith('s') ? 'signal' : 'referral',
    id,
    version,
    action,
  });

  function chainOf(changes: readonly Change[], first = { sequence: 0, hash: GENESIS_HASH }) {
    const entries: (ChainLink & { action: string; object: Change })[] = [];
    let prevHash = first.hash;
    for (const [i, change] of changes.entries()) {
      const { action = 'U', ...object } = change;
      const unhashed = { sequence: first.sequence + i + 1, prevHash, action, object };
      const entry = { ...unhashed, hash: linkHash(unhashed) };
      entries.push(entry);
      prevHash = entry.hash;
    }
    return entries;
  }

  it('accepts every version of every object, interleaved and out of order', () => {
    const entries = chainOf([
      v('s1', 1, 'C'),
      v('r1', 1, 'C'),
      v('s1', 3),
      v('r1', 2),
      // recovered late: appended after its successor
      v('s1', 2),
    ]);

    expect(verifyChain(entries)).toMatchObject({ valid: true, count: 5 });
  });

  it('names the object and the version a change is missing from', () => {
    const entries = chainOf([v('s1', 1, 'C'), v('r1', 1, 'C'), v('r1', 2), v('r1', 4), v('s1', 2)]);

    expect(verifyChain(entries)).toEqual({
      valid: false,
      count: 5,
      sequence: 4,
      problem: 'version-gap',
      lastHash: entries[4]?.hash,
      gaps: [{ objectType: 'referral', objectId: 'r1', missing: [3], repeated: [], sequence: 4 }],
    });
  });

  it('from genesis, misses a first version too; continuing a later export, it does not', () => {
    const entries = chainOf([v('r1', 2), v('r1', 3)]);

    expect(verifyChain(entries)).toMatchObject({
      valid: false,
      problem: 'version-gap',
      gaps: [{ objectId: 'r1', missing: [1], sequence: 1 }],
    });
    const later = chainOf([v('r1', 2), v('r1', 3)], { sequence: 7, hash: 'a'.repeat(64) });
    expect(verifyChain(later, { sequence: 7, hash: 'a'.repeat(64) })).toMatchObject({ valid: true });
  });

  it('reports a change appended twice', () => {
    const entries = chainOf([v('s1', 1, 'C'), v('s1', 2), v('s1', 2)]);

    expect(verifyChain(entries)).toMatchObject({
      valid: false,
      problem: 'version-gap',
      sequence: 3,
      gaps: [{ objectId: 's1', missing: [], repeated: [2] }],
    });
  });

  it('does not count reads, which record the version they read', () => {
    const entries = chainOf([v('r1', 1, 'C'), v('r1', 1, 'R'), v('r1', 1, 'R'), v('r1', 2)]);

    expect(verifyChain(entries)).toMatchObject({ valid: true, count: 4 });
  });

  it('sees a lost last change through a later read of its version', () => {
    const entries = chainOf([v('r1', 1, 'C'), v('r1', 2), v('r1', 3, 'R')]);

    expect(verifyChain(entries)).toMatchObject({
      valid: false,
      problem: 'version-gap',
      gaps: [{ objectId: 'r1', missing: [3], repeated: [], sequence: 3 }],
    });
  });
});
