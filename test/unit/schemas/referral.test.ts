import { describe, expect, it } from 'vitest';
import { ReferralEventInputSchema } from '../../../schemas/referral.js';

function paths(input: unknown): string[] {
  const result = ReferralEventInputSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('ReferralEventInputSchema', () => {
  it.each(['delivered', 'accepted', 'started', 'closed'])('parses %s without a reason', (type) => {
    expect(ReferralEventInputSchema.safeParse({ type }).data).toEqual({ type });
  });

  it('parses a rejection with a reason, trimmed', () => {
    expect(ReferralEventInputSchema.safeParse({ type: 'rejected', reason: '  no capacity  ' }).data).toEqual({
      type: 'rejected',
      reason: 'no capacity',
    });
  });

  it('fails at reason when a rejection has no reason', () => {
    expect(paths({ type: 'rejected' })).toEqual(['reason']);
  });

  it.each(['', '   ', '\n\t'])('fails at reason only when a rejection has the blank reason %j', (reason) => {
    const result = paths({ type: 'rejected', reason });

    expect(result.length).toBeGreaterThan(0);
    expect(new Set(result)).toEqual(new Set(['reason']));
  });

  it('fails at reason when the reason is longer than 1000 characters', () => {
    expect(paths({ type: 'rejected', reason: 'x'.repeat(1001) })).toEqual(['reason']);
  });

  it.each(['withdrawn', 'queued', 'ACCEPTED', ''])('fails at type for the event %j', (type) => {
    expect(paths({ type })).toEqual(['type']);
  });

  it('fails at type when the type is missing', () => {
    expect(paths({ reason: 'why' })).toEqual(['type']);
  });

  it('fails with unrecognized_keys for an unknown field', () => {
    const result = ReferralEventInputSchema.safeParse({ type: 'accepted', bsn: '999900018' });

    expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['bsn'], path: [] }]);
  });
});
