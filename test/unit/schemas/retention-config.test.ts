import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION } from '../../../domain/retention.js';
import { DeploymentConfigSchema, RetentionConfigSchema } from '../../../schemas/deployment-config.js';

const base = {
  deployment: 'demo',
  teams: [{ id: 'jgt-a', name: 'JGT A', kind: 'jgt', organisation: 'A' }],
  routingRules: [],
};

describe('the retention part of the deployment config', () => {
  it('is optional', () => {
    expect(DeploymentConfigSchema.parse(base).retention).toBeUndefined();
  });

  it('fills in the design brief’s periods for what it leaves out', () => {
    expect(RetentionConfigSchema.parse({})).toEqual(DEFAULT_RETENTION);
    expect(DEFAULT_RETENTION).toEqual({ pupilDataMonthsAfterClose: 6, pupilDataMaxYears: 2, auditYears: 5 });
    expect(DeploymentConfigSchema.parse({ ...base, retention: { auditYears: 7 } }).retention).toEqual({
      ...DEFAULT_RETENTION,
      auditYears: 7,
    });
  });

  it.each([
    ['pupil data past the Verwijsindex maximum', { pupilDataMaxYears: 3 }, 'pupilDataMaxYears'],
    ['a fraction of a month', { pupilDataMonthsAfterClose: 1.5 }, 'pupilDataMonthsAfterClose'],
    ['a negative period', { pupilDataMonthsAfterClose: -1 }, 'pupilDataMonthsAfterClose'],
    ['no full year of audit', { auditYears: 0 }, 'auditYears'],
    ['an unknown period', { pupilDataDays: 30 }, ''],
  ])('refuses %s', (_case, retention, field) => {
    const result = DeploymentConfigSchema.safeParse({ ...base, retention });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([
      `retention${field ? `.${field}` : ''}`,
    ]);
  });
});
