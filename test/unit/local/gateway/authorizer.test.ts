import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../../local/gateway/authorizer.js';

const ARN = 'arn:aws:execute-api:eu-west-1:000000000000:local/local/GET/v1/signals/abc';

describe('evaluatePolicy', () => {
  const allow = (Resource: string) => ({ Effect: 'Allow' as const, Action: 'execute-api:Invoke', Resource });

  it.each([
    ['the exact method ARN', 'Allow', [allow(ARN)]],
    ['a stage wildcard', 'Allow', [allow('arn:aws:execute-api:eu-west-1:000000000000:local/local/*')]],
    ['another method only', 'Deny', [allow('arn:aws:execute-api:eu-west-1:000000000000:local/local/POST/*')]],
    ['an explicit deny beside an allow', 'Deny', [allow('*'), { ...allow(ARN), Effect: 'Deny' as const }]],
    ['no statement', 'Deny', []],
  ])('answers %s with %s', (_, expected, statements) => {
    expect(evaluatePolicy(statements, ARN)).toBe(expected);
  });
});
