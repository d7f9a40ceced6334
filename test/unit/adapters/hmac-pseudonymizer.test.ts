import { describe, expect, it } from 'vitest';
import { HmacPseudonymizer } from '../../../functions/shared/adapters/hmac-pseudonymizer.js';

const KEY = 'k3y-for-tests-only-0123456789abcdefghij';
const pseudonymizer = (key = KEY) => new HmacPseudonymizer(async () => key);

describe('HmacPseudonymizer', () => {
  it('gives the same pseudonym for the same pupil every time', async () => {
    const first = await pseudonymizer().pseudonymize('bsn', '999900018');
    const again = await pseudonymizer().pseudonymize('bsn', '999900018');

    expect(again).toBe(first);
  });

  it('gives a short, URL-safe pseudonym with the pp- prefix', async () => {
    expect(await pseudonymizer().pseudonymize('bsn', '999900018')).toMatch(/^pp-[A-Za-z0-9_-]{32}$/);
  });

  it('gives different pupils different pseudonyms', async () => {
    const a = await pseudonymizer().pseudonymize('bsn', '999900018');
    const b = await pseudonymizer().pseudonymize('bsn', '999900031');

    expect(a).not.toBe(b);
  });

  it('depends on the key, so the pseudonym cannot be recomputed without it', async () => {
    const withKey = await pseudonymizer(KEY).pseudonymize('bsn', '999900018');
    const withOtherKey = await pseudonymizer(`${KEY}x`).pseudonymize('bsn', '999900018');

    expect(withOtherKey).not.toBe(withKey);
  });

  it('keeps a BSN and an onderwijsnummer with the same digits apart', async () => {
    const asBsn = await pseudonymizer().pseudonymize('bsn', '101000012');
    const asOnderwijsnummer = await pseudonymizer().pseudonymize('onderwijsnummer', '101000012');

    expect(asOnderwijsnummer).not.toBe(asBsn);
  });

  it.each([
    ['bsn', '999900018'],
    ['onderwijsnummer', '101000012'],
  ] as const)('does not contain the %s or any 5-digit part of it', async (kind, value) => {
    const pseudonym = await pseudonymizer().pseudonymize(kind, value);

    for (let i = 0; i + 5 <= value.length; i++) expect(pseudonym).not.toContain(value.slice(i, i + 5));
  });

  it('reads the key on each use, so a rotated secret takes effect', async () => {
    let key = KEY;
    const rotating = new HmacPseudonymizer(async () => key);
    const before = await rotating.pseudonymize('bsn', '999900018');

    key = `${KEY}-rotated`;

    expect(await rotating.pseudonymize('bsn', '999900018')).not.toBe(before);
  });

  it('passes a failure to get the key on', async () => {
    const broken = new HmacPseudonymizer(async () => {
      throw new Error('secret unavailable');
    });

    await expect(broken.pseudonymize('bsn', '999900018')).rejects.toThrow('secret unavailable');
  });
});
