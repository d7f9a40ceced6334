import { describe, expect, it } from 'vitest';
import { type AuditedLink, ChainVerifier, GENESIS_HASH, linkHash } from '../../../domain/audit-chain.js';

// ChainVerifier is verifyChain one entry at a time (audit-chain.test.ts covers the verdicts);
// these are what streaming adds: line numbers, entries the reader could not read, and silence
// after the first break.

type LinkedObject = NonNullable<AuditedLink['object']>;

function chain(
  count: number,
  first = { sequence: 0, hash: GENESIS_HASH },
  objectOf = (i: number): LinkedObject => ({ type: 'referral', id: `r${i}`, version: 1 }),
): AuditedLink[] {
  const entries: AuditedLink[] = [];
  let prevHash = first.hash;
  for (let i = 1; i <= count; i++) {
    const unhashed = {
      sequence: first.sequence + i,
      prevHash,
      action: 'U',
      object: objectOf(i),
    };
    const entry = { ...unhashed, hash: linkHash(unhashed) };
    entries.push(entry);
    prevHash = entry.hash;
  }
  return entries;
}

function verify(entries: readonly AuditedLink[], startAfter?: { sequence: number; hash: string }) {
  const verifier = new ChainVerifier(startAfter);
  for (const [index, entry] of entries.entries()) verifier.add(entry, index + 1);
  return verifier.result();
}

describe('ChainVerifier', () => {
  it('accepts entries added one at a time and reports the count and last hash', () => {
    const entries = chain(4);

    expect(verify(entries)).toEqual({ valid: true, count: 4, lastHash: entries[3]?.hash });
  });

  it('names the line of the broken entry when the reader gives lines', () => {
    const entries = chain(4);
    entries[2] = { ...(entries[2] as AuditedLink), action: 'D' };

    expect(verify(entries)).toEqual({
      valid: false,
      count: 2,
      sequence: 3,
      problem: 'hash-mismatch',
      line: 3,
    });
  });

  it('records nothing after the first break, not even a later break', () => {
    const entries = chain(5);
    entries[1] = { ...(entries[1] as AuditedLink), action: 'D' };
    entries[3] = { ...(entries[3] as AuditedLink), sequence: 99 };

    expect(verify(entries)).toMatchObject({ valid: false, count: 1, sequence: 2, problem: 'hash-mismatch' });
  });

  it('breaks at the expected sequence when the reader rejects an entry', () => {
    const verifier = new ChainVerifier();
    for (const entry of chain(2)) verifier.add(entry);

    verifier.reject('malformed-entry', 'not-json', 3);
    verifier.add(chain(3)[2] as AuditedLink, 4);

    expect(verifier.result()).toEqual({
      valid: false,
      count: 2,
      sequence: 3,
      problem: 'malformed-entry',
      reason: 'not-json',
      line: 3,
    });
  });

  it('reports an entry without a canonical form (a number beyond a double) as a hash mismatch', () => {
    const [entry] = chain(1);
    const hostile = { ...(entry as AuditedLink), details: { n: Number.POSITIVE_INFINITY } };

    expect(verify([hostile])).toMatchObject({ valid: false, sequence: 1, problem: 'hash-mismatch' });
  });

  it('continues from a start after genesis without asking for first versions', () => {
    const start = { sequence: 10, hash: 'a'.repeat(64) };

    expect(verify(chain(3, start), start)).toMatchObject({ valid: true, count: 3 });
  });

  it('finds a version gap over entries added one at a time', () => {
    const entries = chain(2, undefined, (i) => ({ type: 'signal', id: 's1', version: i * 2 - 1 }));

    expect(verify(entries)).toMatchObject({
      valid: false,
      problem: 'version-gap',
      sequence: 2,
      gaps: [{ objectId: 's1', missing: [2] }],
    });
  });

  it.each([
    ['a change recovered after the ones that follow it', [1, 2, 4, 5, 3], []],
    ['two changes recovered late, in reverse', [1, 4, 3, 2, 5], []],
    ['a hole that is never filled', [1, 2, 4, 5], [3]],
    ['a hole before a late change', [1, 5, 3], [2, 4]],
  ])('keeps versions as runs and still sees every hole: %s', (_case, versions, missing) => {
    const entries = chain(versions.length, undefined, (i) => ({
      type: 'referral',
      id: 'r1',
      version: versions[i - 1] as number,
    }));

    const result = verify(entries);

    if (missing.length === 0) expect(result).toMatchObject({ valid: true });
    else expect(result).toMatchObject({ valid: false, problem: 'version-gap', gaps: [{ missing }] });
  });

  it('reports a version beyond any reason without listing a quadrillion of them', () => {
    const entries = chain(2, undefined, (i) => ({ type: 'signal', id: 's1', version: i === 1 ? 1 : 1e15 }));

    const result = verify(entries);

    expect(result).toMatchObject({ valid: false, problem: 'version-gap', sequence: 2 });
    if (result.valid || result.problem !== 'version-gap') throw new Error('expected a version gap');
    expect(result.gaps[0]?.missing).toHaveLength(1000);
    expect(result.gaps[0]?.missing.slice(0, 2)).toEqual([2, 3]);
  });
});
