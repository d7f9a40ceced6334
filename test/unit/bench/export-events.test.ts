import { describe, expect, it } from 'vitest';
import { type ChainShape, chainEntries, draftOf, recordedAtOf } from '../../../bench/export-events.js';
import { GENESIS_HASH, verifyChain } from '../../../domain/audit-chain.js';
import { canonicalJson } from '../../../domain/canonical-json.js';
import { AuditEventSchema } from '../../../schemas/audit-event.js';

const shape: ChainShape = {
  municipality: '0363',
  count: 40_000,
  from: '2025-01-01T00:00:00.000Z',
  to: '2026-01-01T00:00:00.000Z',
};

describe('the export bench chain', () => {
  const entries = [...chainEntries(shape)];

  it('is a valid chain from genesis: links, hashes and every referral’s versions without a hole', () => {
    expect(entries.map((e) => e.sequence)).toEqual(Array.from({ length: shape.count }, (_, i) => i + 1));
    expect(verifyChain(entries)).toEqual({
      valid: true,
      count: shape.count,
      lastHash: entries.at(-1)?.hash,
    });
  });

  it('holds audit events as the schema has them, of about 700–900 bytes each', () => {
    for (const entry of entries.slice(0, 12)) expect(AuditEventSchema.parse(entry)).toEqual(entry);
    const sizes = entries.map((e) => Buffer.byteLength(canonicalJson(e)));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(700);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(900);
    expect(new Set(entries.map((e) => e.object.pupilPseudonym)).size).toBeGreaterThan(1000);
  });

  it('is recorded over the period, never going back, the last entry before its end', () => {
    const times = entries.map((e) => Date.parse(e.recordedAt));
    expect(times[0]).toBe(Date.parse(shape.from));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
    expect(times.at(-1)).toBeLessThan(Date.parse(shape.to));
    expect(recordedAtOf(shape, shape.count / 2 + 1)).toBe('2025-07-02T12:00:00.000Z');
  });

  it('is the same every time, and a stretch of it hashes as the whole does', () => {
    expect(draftOf(shape, 12_345)).toEqual(draftOf(shape, 12_345));
    const after = entries[999] as (typeof entries)[number];
    const stretch = [...chainEntries(shape, { sequence: after.sequence, hash: after.hash }, 1100)];
    expect(stretch).toEqual(entries.slice(1000, 1100));
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
  });
});
