import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EnvKey, loadEnv } from '../../functions/shared/env.js';
import { ConfigurationError } from '../../functions/shared/errors.js';

const VALID = {
  STATE_TABLE_NAME: 'schakel-state',
  AUDIT_TABLE_NAME: 'schakel-audit',
  INTAKE_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/schakel-intake',
  DEPLOYMENT_NAME: 'demo',
  SCHAKEL_DEPLOYMENT_CONFIG: '{"deployment":"demo","teams":[],"routingRules":[]}',
  PSEUDONYM_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:pseudonym',
  PSEUDONYM_KEY: 'k'.repeat(32),
  AWS_REGION: 'eu-central-1',
} satisfies Record<string, string>;

const ALL_REQUIRED: EnvKey[] = [
  'STATE_TABLE_NAME',
  'AUDIT_TABLE_NAME',
  'INTAKE_QUEUE_URL',
  'DEPLOYMENT_NAME',
  'SCHAKEL_DEPLOYMENT_CONFIG',
  'PSEUDONYM_SECRET_ARN',
  'PSEUDONYM_KEY',
];

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('loadEnv', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('returns every required key when all are present and valid', () => {
    const env = loadEnv(ALL_REQUIRED, { ...VALID });

    expect(env).toMatchObject(VALID);
  });

  it('returns the emulator endpoints when they are set', () => {
    const env = loadEnv(['STATE_TABLE_NAME'], {
      ...VALID,
      DYNAMODB_ENDPOINT: 'http://localhost:8000',
      SQS_ENDPOINT: 'http://localhost:9324',
    });

    expect(env).toEqual({
      STATE_TABLE_NAME: 'schakel-state',
      AWS_REGION: 'eu-central-1',
      DYNAMODB_ENDPOINT: 'http://localhost:8000',
      SQS_ENDPOINT: 'http://localhost:9324',
    });
  });

  it('does not return or check keys that were not asked for', () => {
    const env = loadEnv(['STATE_TABLE_NAME'], {
      STATE_TABLE_NAME: 'schakel-state',
      AWS_REGION: 'eu-central-1',
      INTAKE_QUEUE_URL: 'not a url',
    });

    expect(env).toEqual({ STATE_TABLE_NAME: 'schakel-state', AWS_REGION: 'eu-central-1' });
  });

  it('names every missing and every bad key in one error', () => {
    const source = {
      INTAKE_QUEUE_URL: 'not a url',
      DEPLOYMENT_NAME: 'Demo_Deployment',
      PSEUDONYM_KEY: 'too-short',
      DYNAMODB_ENDPOINT: 'not a url',
    };

    const error = errorOf(() => loadEnv(ALL_REQUIRED, source));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.name).toBe('ConfigurationError');
    for (const key of [
      'STATE_TABLE_NAME',
      'AUDIT_TABLE_NAME',
      'INTAKE_QUEUE_URL',
      'DEPLOYMENT_NAME',
      'SCHAKEL_DEPLOYMENT_CONFIG',
      'PSEUDONYM_KEY',
      'DYNAMODB_ENDPOINT',
      'AWS_REGION',
    ]) {
      expect(error.message).toContain(key);
    }
    expect(error.message).not.toContain('SQS_ENDPOINT');
  });

  it('does not put the values it rejects into the message', () => {
    const error = errorOf(() => loadEnv(['PSEUDONYM_KEY'], { ...VALID, PSEUDONYM_KEY: 'secret-but-short' }));

    expect(error.message).toContain('PSEUDONYM_KEY');
    expect(error.message).not.toContain('secret-but-short');
  });

  it('always requires AWS_REGION', () => {
    const { AWS_REGION: _omitted, ...withoutRegion } = VALID;

    expect(() => loadEnv(['STATE_TABLE_NAME'], withoutRegion)).toThrow(/AWS_REGION/);
  });

  it('treats an empty value as missing', () => {
    expect(() => loadEnv(['STATE_TABLE_NAME'], { ...VALID, STATE_TABLE_NAME: '' })).toThrow(
      /STATE_TABLE_NAME/,
    );
  });

  it.each([
    ['demo', true],
    ['a', true],
    ['a'.repeat(20), true],
    ['region-7', true],
    ['a'.repeat(21), false],
    ['7region', false],
    ['Demo', false],
    ['demo_1', false],
    ['', false],
  ])('accepts DEPLOYMENT_NAME %j: %s', (name, ok) => {
    const load = () => loadEnv(['DEPLOYMENT_NAME'], { ...VALID, DEPLOYMENT_NAME: name });

    if (ok) expect(load()).toMatchObject({ DEPLOYMENT_NAME: name });
    else expect(load).toThrow(/DEPLOYMENT_NAME/);
  });

  it('reads only the explicit source, not process.env', () => {
    vi.stubEnv('SCHAKEL_DEPLOYMENT_CONFIG', '{"from":"process.env"}');
    vi.stubEnv('STATE_TABLE_NAME', 'from-process-env');
    const { SCHAKEL_DEPLOYMENT_CONFIG: _omitted, ...source } = VALID;

    expect(() => loadEnv(['SCHAKEL_DEPLOYMENT_CONFIG'], source)).toThrow(/SCHAKEL_DEPLOYMENT_CONFIG/);
    expect(loadEnv(['STATE_TABLE_NAME'], { ...source, STATE_TABLE_NAME: 'from-source' })).toMatchObject({
      STATE_TABLE_NAME: 'from-source',
    });
  });

  it('reads process.env when no source is given', () => {
    vi.stubEnv('STATE_TABLE_NAME', 'from-process-env');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('DYNAMODB_ENDPOINT', undefined);
    vi.stubEnv('SQS_ENDPOINT', undefined);

    expect(loadEnv(['STATE_TABLE_NAME'])).toEqual({
      STATE_TABLE_NAME: 'from-process-env',
      AWS_REGION: 'eu-west-1',
    });
  });
});
