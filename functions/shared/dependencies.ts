import { randomUUID } from 'node:crypto';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { type DeploymentConfig, DeploymentConfigSchema } from '../../schemas/deployment-config.js';
import { sharedDocumentClient, sharedSqsClient } from './adapters/aws-clients.js';
import { HmacPseudonymizer } from './adapters/hmac-pseudonymizer.js';
import { ConfigurationError, type Env } from './env.js';

// Building blocks for the per-function dependency factories. Each function builds its
// dependencies once per cold start, lazily, so importing a handler has no side effects.

type Endpoints = Pick<Env, 'AWS_REGION' | 'DYNAMODB_ENDPOINT' | 'SQS_ENDPOINT'>;

export const clock = () => new Date();
export const newId = () => randomUUID();

export function documents(env: Endpoints) {
  return sharedDocumentClient({ region: env.AWS_REGION, dynamodbEndpoint: env.DYNAMODB_ENDPOINT });
}

export function sqs(env: Endpoints) {
  return sharedSqsClient({ region: env.AWS_REGION, sqsEndpoint: env.SQS_ENDPOINT });
}

/** Once per cold start: `factory` runs on first use and its result is reused. */
export function once<T>(factory: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = factory();
      built = true;
    }
    return value as T;
  };
}

export function pseudonymizer(
  env: Partial<Pick<Env, 'PSEUDONYM_SECRET_ARN' | 'PSEUDONYM_KEY'>>,
): HmacPseudonymizer {
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

export function deploymentConfig(json: string): DeploymentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new ConfigurationError('SCHAKEL_DEPLOYMENT_CONFIG is not JSON');
  }
  const parsed = DeploymentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigurationError(
      `SCHAKEL_DEPLOYMENT_CONFIG is invalid — ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
