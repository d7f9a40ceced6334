import { createHmac } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigurationError } from '../errors.js';
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

/** The key from Secrets Manager (AWS) or, in local mode and tests, from the environment itself. */
export function pseudonymizerFromEnv(env: {
  PSEUDONYM_SECRET_ARN?: string | undefined;
  PSEUDONYM_KEY?: string | undefined;
}): HmacPseudonymizer {
  const { PSEUDONYM_SECRET_ARN: secretArn, PSEUDONYM_KEY: localKey } = env;
  if (secretArn) {
    return new HmacPseudonymizer(async () => {
      // Cached by Powertools for an hour: one Secrets Manager call per cold start and hour.
      const secret = await getSecret<string>(secretArn, { maxAge: 3600 });
      if (typeof secret !== 'string' || secret.length < 32)
        throw new ConfigurationError('pseudonym secret is too short');
      return secret;
    });
  }
  if (localKey) return new HmacPseudonymizer(async () => localKey);
  throw new ConfigurationError(
    'invalid environment — set PSEUDONYM_SECRET_ARN (AWS) or PSEUDONYM_KEY (local)',
  );
}
