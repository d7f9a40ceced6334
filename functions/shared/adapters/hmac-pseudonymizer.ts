import { createHmac } from 'node:crypto';
import type { Pseudonymizer } from '../ports/pseudonymizer.js';

/**
 * HMAC-SHA256 with a deployment secret: stable per pupil (a municipality can see that two
 * signals concern the same child) but not reversible without the key, unlike a plain hash of
 * a 9-digit BSN, which anyone can brute-force.
 */
export class HmacPseudonymizer implements Pseudonymizer {
  constructor(private readonly key: () => Promise<string>) {}

  async pseudonymize(kind: 'bsn' | 'onderwijsnummer', value: string): Promise<string> {
    const mac = createHmac('sha256', await this.key())
      .update(`${kind}:${value}`, 'utf8')
      .digest('base64url');
    return `pp-${mac.slice(0, 32)}`;
  }
}
