import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, sha256Hex } from '../../../domain/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever the key order', () => {
    const one = { pupil: { municipality: '0363', age: 9 }, concerns: ['absence'], urgency: 'regular' };
    const two = { urgency: 'regular', concerns: ['absence'], pupil: { age: 9, municipality: '0363' } };

    expect(canonicalJson(two)).toBe(canonicalJson(one));
  });

  it('keeps array order significant', () => {
    expect(canonicalJson(['absence', 'safety'])).not.toBe(canonicalJson(['safety', 'absence']));
  });

  it.each([
    [1.0, '1'],
    [1e3, '1000'],
    [-0, '0'],
    [0.1, '0.1'],
    ['é€', '"é€"'],
    ['line\nbreak', '"line\\nbreak"'],
  ])('writes %j as %s (RFC 8785)', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('throws a TypeError when the value has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector for "abc"', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('contentHash', () => {
  it('is equal for the same content in another key order', () => {
    expect(contentHash({ a: 1, b: { c: 2, d: 3 } })).toBe(contentHash({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('differs when a value differs', () => {
    expect(contentHash({ a: 1, b: { c: 2, d: 3 } })).not.toBe(contentHash({ a: 1, b: { c: 2, d: 4 } }));
  });

  it('is the SHA-256 of the canonical JSON', () => {
    expect(contentHash({ b: 2, a: 1 })).toBe(sha256Hex('{"a":1,"b":2}'));
  });
});
