import { describe, expect, it } from 'vitest';
import { SignalSubmissionSchema } from '../../../schemas/signal.js';
import { consultationSubmission, deepMerge, referralSubmission } from '../../helpers/factories.js';

describe('factories', () => {
  it.each([
    ['referralSubmission', referralSubmission],
    ['consultationSubmission', consultationSubmission],
  ])('%s builds a submission the schema accepts', (_name, build) => {
    expect(SignalSubmissionSchema.safeParse(build()).error?.issues).toBeUndefined();
  });

  it('merges nested overrides and keeps the sibling fields', () => {
    const submission = referralSubmission({ pupil: { postcode: '2181AA' } });

    expect(submission.pupil).toEqual({
      bsn: '999900018',
      birthDate: '2015-03-14',
      municipality: '0363',
      postcode: '2181AA',
    });
  });

  it('removes a field whose override is undefined', () => {
    const submission = referralSubmission({ pupil: { bsn: undefined } });

    expect(submission.pupil).not.toHaveProperty('bsn');
  });

  it('replaces arrays instead of merging them', () => {
    expect(referralSubmission({ concerns: ['safety'] }).concerns).toEqual(['safety']);
  });

  it('returns a fresh object on every call', () => {
    const first = referralSubmission();
    first.pupil.municipality = '0534';
    first.concerns.push('safety');

    expect(referralSubmission().pupil.municipality).toBe('0363');
    expect(referralSubmission().concerns).toEqual(['absence', 'home-situation']);
  });

  it('does not mutate the base or the overrides', () => {
    const base = { a: { b: 1, c: [1, 2] } };
    const overrides = { a: { b: 2 } };

    const merged = deepMerge(base, overrides);

    expect(merged).toEqual({ a: { b: 2, c: [1, 2] } });
    expect(base).toEqual({ a: { b: 1, c: [1, 2] } });
    expect(overrides).toEqual({ a: { b: 2 } });
  });
});
