import * as z from 'zod/mini';
import { unpackBuildTimeValue } from './build-time-values.js';
import { ConfigurationError } from './errors.js';

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

// Every function reads its environment once per cold start through here; a missing or bad
// value fails the cold start with one message naming every problem (not one at a time).

const EnvSchema = z.object({
  /** The state table (signals, referrals, clients, read records); its stream feeds the audit. */
  STATE_TABLE_NAME: z.string().check(z.minLength(1)),
  /** The append-only, hash-chained audit table. */
  AUDIT_TABLE_NAME: z.string().check(z.minLength(1)),
  INTAKE_QUEUE_URL: HttpUrl,
  /** Deployment name; part of every team queue's name (see team-queue-name.ts). */
  DEPLOYMENT_NAME: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,19}$/)),
  /** Teams and routing rules as JSON (DeploymentConfigSchema); compiled into the bundle in AWS. */
  SCHAKEL_DEPLOYMENT_CONFIG: z.string().check(z.minLength(2)),
  /** The OpenAPI document as JSON; compiled into serve-openapi's bundle in AWS. */
  SCHAKEL_OPENAPI_DOCUMENT: z.string().check(z.minLength(2)),
  /** Secrets Manager secret holding the key for pupil pseudonyms (AWS). */
  PSEUDONYM_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  /** The pseudonym key itself (local mode and tests only). */
  PSEUDONYM_KEY: z.optional(z.string().check(z.minLength(32))),
  /** The KMS key that wraps the data keys of pupil data (AWS). */
  PUPIL_DATA_KEY_ARN: z.optional(z.string().check(z.minLength(1))),
  /** The local AES key for pupil data, base64 of 32 bytes (local mode and tests only). */
  PUPIL_DATA_KEY: z.optional(z.string().check(z.minLength(40))),
  /** The queue that starts (and continues) audit exports. */
  AUDIT_EXPORT_QUEUE_URL: HttpUrl,
  /**
   * How long before it runs an export ends at the latest (default 120): longer than an append can
   * take from stamping `recordedAt` to its commit. Local mode, without network or Lambda
   * timeouts between its parts, sets a few seconds so a demo's events export at once.
   */
  AUDIT_EXPORT_SETTLE_SECONDS: z.optional(z.string().check(z.regex(/^[1-9]\d{0,3}$/))),
  /** The bucket that holds audit export files and their manifests. */
  EXPORT_BUCKET_NAME: z.string().check(z.minLength(3)),
  /** Emulator endpoints (local mode and tests only); unset in AWS. */
  DYNAMODB_ENDPOINT: z.optional(HttpUrl),
  SQS_ENDPOINT: z.optional(HttpUrl),
  S3_ENDPOINT: z.optional(HttpUrl),
  AWS_REGION: z.string().check(z.minLength(1)),
});

export type Env = z.infer<typeof EnvSchema>;
export type EnvKey = keyof Env;
export type EnvSource = Readonly<Record<string, string | undefined>>;
type Always = 'DYNAMODB_ENDPOINT' | 'SQS_ENDPOINT' | 'S3_ENDPOINT' | 'AWS_REGION';

/**
 * Values too large for Lambda's 4 KB of environment variables: the CDK app compiles them into
 * the bundle by replacing the literal expression `process.env.<KEY>` (esbuild `define`), so they
 * are read here by that literal name whenever the source is the process environment.
 */
export const BUILD_TIME_KEYS = ['SCHAKEL_DEPLOYMENT_CONFIG', 'SCHAKEL_OPENAPI_DOCUMENT'] as const;

function buildTimeValues(): Record<string, string | undefined> {
  return {
    SCHAKEL_DEPLOYMENT_CONFIG: unpackBuildTimeValue(process.env.SCHAKEL_DEPLOYMENT_CONFIG),
    SCHAKEL_OPENAPI_DOCUMENT: unpackBuildTimeValue(process.env.SCHAKEL_OPENAPI_DOCUMENT),
  };
}

/** Reads the named keys (plus the optional emulator endpoints and the region) from `source`. */
export function loadEnv<K extends EnvKey>(
  required: readonly K[],
  source: EnvSource = process.env,
): Pick<Env, K | Always> {
  const raw: Record<string, string | undefined> = {
    ...source,
    ...(source === process.env ? buildTimeValues() : {}),
  };
  const picked = z.pick(EnvSchema, {
    ...Object.fromEntries(required.map((k) => [k, true])),
    DYNAMODB_ENDPOINT: true,
    SQS_ENDPOINT: true,
    S3_ENDPOINT: true,
    AWS_REGION: true,
  } as Record<EnvKey, true>);
  const result = picked.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigurationError(`invalid environment — ${problems.join('; ')}`);
  }
  return result.data as Pick<Env, K | Always>;
}
