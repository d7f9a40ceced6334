import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { SignalSubmissionSchema } from '../../../schemas/signal.js';
import { consultationSubmission, referralSubmission } from '../../helpers/factories.js';

/** The v1 contract example, verbatim from the API contract (not built by the factory). */
const CONTRACT_EXAMPLE = {
  sourceId: 'lvs-000123',
  requestType: 'referral',
  schoolLocation: '12AB00',
  pupil: { bsn: '999900018', birthDate: '2015-03-14', municipality: '0363', postcode: '1011AB' },
  concerns: ['absence', 'home-situation'],
  urgency: 'regular',
  summary: 'Frequent absence since October; parents ask for support.',
  consent: { parents: true, pupil: false, recordedOn: '2026-11-20' },
  contact: { name: 'J. de Vries', role: 'intern begeleider', email: 'ib@school.example' },
};

function issuePaths(input: unknown): string[] {
  const result = SignalSubmissionSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue: z.core.$ZodIssue) => issue.path.join('.'));
}

function issues(input: unknown): z.core.$ZodIssue[] {
  const result = SignalSubmissionSchema.safeParse(input);
  return result.success ? [] : result.error.issues;
}

describe('SignalSubmissionSchema', () => {
  describe('valid submissions', () => {
    it('parses the v1 contract example unchanged', () => {
      const result = SignalSubmissionSchema.safeParse(CONTRACT_EXAMPLE);

      expect(result.error?.issues).toBeUndefined();
      expect(result.data).toEqual(CONTRACT_EXAMPLE);
    });

    it('matches the contract example with the referral factory', () => {
      expect(referralSubmission()).toEqual(CONTRACT_EXAMPLE);
    });

    it('parses a consultation with only age and municipality and no consent', () => {
      const input = consultationSubmission({ pupil: { age: 9, municipality: '0363' } });

      const result = SignalSubmissionSchema.safeParse(input);

      expect(result.error?.issues).toBeUndefined();
      expect(result.data).toMatchObject({
        requestType: 'consultation',
        pupil: { age: 9, municipality: '0363' },
      });
      expect(result.data).not.toHaveProperty('consent');
    });

    it('parses a referral identified by onderwijsnummer instead of BSN', () => {
      const input = referralSubmission({ pupil: { bsn: undefined, onderwijsnummer: '101234564' } });

      expect(issuePaths(input)).toEqual([]);
    });

    it.each(['1011 AB', '9999ZZ'])('parses a referral with postcode %j', (postcode) => {
      expect(issuePaths(referralSubmission({ pupil: { postcode } }))).toEqual([]);
    });

    it('parses a contact with a phone number', () => {
      expect(issuePaths(referralSubmission({ contact: { phone: '+31 (0)20-1234567' } }))).toEqual([]);
    });

    it('parses all seven concerns at once', () => {
      const concerns = [
        'absence',
        'behaviour',
        'social-emotional',
        'home-situation',
        'learning',
        'development',
        'safety',
      ] as const;

      expect(issuePaths(referralSubmission({ concerns: [...concerns] }))).toEqual([]);
    });

    it('trims the summary', () => {
      const result = SignalSubmissionSchema.parse(referralSubmission({ summary: '  Absent often.  ' }));

      expect(result.summary).toBe('Absent often.');
    });
  });

  describe('consultations never identify the pupil', () => {
    it.each([
      ['bsn', '999900018'],
      ['onderwijsnummer', '101234564'],
      ['birthDate', '2017-05-01'],
      ['postcode', '1011AB'],
      ['name', 'Piet Jansen'],
      ['address', 'Damrak 1'],
    ])('fails at pupil.%s when a consultation carries it', (field, value) => {
      const base = consultationSubmission();
      const input = { ...base, pupil: { ...base.pupil, [field]: value } };

      expect(issuePaths(input)).toEqual([`pupil.${field}`]);
    });

    it('fails at consent when a consultation carries consent', () => {
      const input = {
        ...consultationSubmission(),
        consent: { parents: true, pupil: true, recordedOn: '2026-11-20' },
      };

      expect(issuePaths(input)).toEqual(['consent']);
    });

    it.each([
      [9.5, 'not a whole number'],
      [-1, 'negative'],
      [31, 'above 30'],
      ['9', 'a string'],
    ])('fails at pupil.age for age %j (%s)', (age, _label) => {
      const base = consultationSubmission();

      expect(issuePaths({ ...base, pupil: { ...base.pupil, age } })).toEqual(['pupil.age']);
    });

    it('fails at pupil.age when the age is missing', () => {
      const { age: _omitted, ...pupil } = consultationSubmission().pupil;

      expect(issuePaths({ ...consultationSubmission(), pupil })).toEqual(['pupil.age']);
    });
  });

  describe('referral identifiers', () => {
    it.each([
      ['999900017', 'fails the 11-proof'],
      ['99990001', '8 digits'],
      ['000000000', 'all zeros'],
      ['999 900 018', 'spaces'],
    ])('fails at pupil.bsn for BSN %j (%s)', (bsn) => {
      expect(issuePaths(referralSubmission({ pupil: { bsn } }))).toEqual(['pupil.bsn']);
    });

    it('fails at pupil.onderwijsnummer for an onderwijsnummer failing its check', () => {
      const input = referralSubmission({ pupil: { bsn: undefined, onderwijsnummer: '101234565' } });

      expect(issuePaths(input)).toContain('pupil.onderwijsnummer');
    });

    it('fails at pupil.bsn when both bsn and onderwijsnummer are given', () => {
      const input = referralSubmission({ pupil: { onderwijsnummer: '101234564' } });

      expect(issuePaths(input)).toEqual(['pupil.bsn']);
    });

    it('names both identifiers given beside another bad field of the pupil', () => {
      const input = referralSubmission({
        pupil: { onderwijsnummer: '101234564', municipality: 363 as never },
      });

      expect(issuePaths(input).sort()).toEqual(['pupil.bsn', 'pupil.municipality']);
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['a list', []],
    ])('names a pupil that is %s, and only the pupil', (_, pupil) => {
      const input = { ...referralSubmission(), pupil };

      expect(issuePaths(input)).toEqual(['pupil']);
    });

    it('does not add "exactly one" to a BSN that is itself wrong', () => {
      const input = referralSubmission({ pupil: { bsn: '123', onderwijsnummer: '101234564' } });

      expect(issues(input).map((i) => i.message)).not.toContain(
        'give exactly one of bsn and onderwijsnummer',
      );
    });

    it('fails at pupil.bsn when neither bsn nor onderwijsnummer is given', () => {
      const input = referralSubmission({ pupil: { bsn: undefined } });

      expect(issuePaths(input)).toEqual(['pupil.bsn']);
    });

    it.each([
      ['1011SA', 'letters SA'],
      ['1011 SS', 'letters SS'],
      ['0123AB', 'leading zero'],
      ['1011ab', 'lowercase'],
    ])('fails at pupil.postcode for %j (%s)', (postcode) => {
      expect(issuePaths(referralSubmission({ pupil: { postcode } }))).toEqual(['pupil.postcode']);
    });

    it.each([
      ['2015-02-30', 'no such day'],
      ['2015-3-14', 'no zero padding'],
      ['14-03-2015', 'Dutch order'],
      ['2015-03-14T00:00:00Z', 'a date-time'],
    ])('fails at pupil.birthDate for %j (%s)', (birthDate) => {
      expect(issuePaths(referralSubmission({ pupil: { birthDate } }))).toEqual(['pupil.birthDate']);
    });

    it('fails at pupil when a referral pupil carries an unknown field', () => {
      const base = referralSubmission();
      const input = { ...base, pupil: { ...base.pupil, name: 'Piet Jansen' } };

      expect(issues(input)).toMatchObject([{ code: 'unrecognized_keys', keys: ['name'], path: ['pupil'] }]);
    });

    it('fails at consent when a referral has no consent', () => {
      expect(issuePaths(referralSubmission({ consent: undefined }))).toEqual(['consent']);
    });

    it('fails at consent.recordedOn when it is not a date', () => {
      expect(issuePaths(referralSubmission({ consent: { recordedOn: '20-11-2026' } }))).toEqual([
        'consent.recordedOn',
      ]);
    });
  });

  describe('municipality', () => {
    // A malformed code fails both the format check and the CBS-list check, both at the same path.
    it.each(['0000', '9999', '363', '03630', 'abcd'])(
      'fails at pupil.municipality for a referral with %j',
      (code) => {
        expect(new Set(issuePaths(referralSubmission({ pupil: { municipality: code } })))).toEqual(
          new Set(['pupil.municipality']),
        );
      },
    );

    it.each(['0000', '9999', '363'])('fails at pupil.municipality for a consultation with %j', (code) => {
      expect(new Set(issuePaths(consultationSubmission({ pupil: { municipality: code } })))).toEqual(
        new Set(['pupil.municipality']),
      );
    });

    it('accepts Hillegom (0534)', () => {
      expect(issuePaths(referralSubmission({ pupil: { municipality: '0534' } }))).toEqual([]);
    });
  });

  describe('requestType', () => {
    it('fails at requestType when it is missing', () => {
      expect(issuePaths(referralSubmission({ requestType: undefined }))).toEqual(['requestType']);
    });

    it.each(['advice', 'Referral', '', 'verwijzing'])('fails at requestType when it is %j', (requestType) => {
      expect(issuePaths({ ...referralSubmission(), requestType })).toEqual(['requestType']);
    });

    it('fails when a referral-shaped body claims to be a consultation', () => {
      expect(issuePaths({ ...referralSubmission(), requestType: 'consultation' })).toEqual(
        expect.arrayContaining(['pupil.bsn', 'pupil.birthDate', 'pupil.postcode', 'consent']),
      );
    });
  });

  describe('concerns', () => {
    it('fails at concerns when the list is empty', () => {
      expect(issuePaths(referralSubmission({ concerns: [] }))).toEqual(['concerns']);
    });

    it('fails at concerns when a concern is repeated', () => {
      expect(issuePaths(referralSubmission({ concerns: ['absence', 'learning', 'absence'] }))).toEqual([
        'concerns',
      ]);
    });

    it('fails at concerns.1 for an unknown concern', () => {
      expect(issuePaths({ ...referralSubmission(), concerns: ['absence', 'bullying'] })).toEqual([
        'concerns.1',
      ]);
    });

    it('fails at concerns when concerns is missing', () => {
      expect(issuePaths(consultationSubmission({ concerns: undefined }))).toEqual(['concerns']);
    });
  });

  describe('strict objects', () => {
    it.each([
      ['the top level', (s: Record<string, unknown>) => ({ ...s, extra: 1 }), [], 'extra'],
      [
        'contact',
        (s: Record<string, unknown>) => ({ ...s, contact: { ...(s.contact as object), bsn: '1' } }),
        ['contact'],
        'bsn',
      ],
      [
        'consent',
        (s: Record<string, unknown>) => ({ ...s, consent: { ...(s.consent as object), guardian: true } }),
        ['consent'],
        'guardian',
      ],
    ])('fails with unrecognized_keys at %s for an unknown key', (_label, addKey, path, key) => {
      const input = addKey(referralSubmission());

      expect(issues(input)).toMatchObject([{ code: 'unrecognized_keys', keys: [key], path }]);
    });

    it('fails at the top level for an unknown key in a consultation', () => {
      expect(issues({ ...consultationSubmission(), pupilName: 'Piet' })).toMatchObject([
        { code: 'unrecognized_keys', keys: ['pupilName'], path: [] },
      ]);
    });
  });

  describe('other fields', () => {
    it.each([
      ['sourceId', { sourceId: '' }],
      ['sourceId', { sourceId: 'has space' }],
      ['sourceId', { sourceId: '-leading-hyphen' }],
      ['sourceId', { sourceId: 'x'.repeat(101) }],
      ['schoolLocation', { schoolLocation: '12AB' }],
      ['urgency', { urgency: 'high' }],
      ['summary', { summary: '   ' }],
      ['summary', { summary: 'x'.repeat(2001) }],
      ['contact.email', { contact: { email: 'not-an-email' } }],
      ['contact.name', { contact: { name: ' ' } }],
      ['contact.phone', { contact: { phone: 'call me' } }],
    ])('fails at %s for %j', (path, overrides) => {
      const input = referralSubmission(overrides as Parameters<typeof referralSubmission>[0]);

      expect(issuePaths(input)).toEqual([path]);
    });

    it('accepts a sourceId of exactly 100 characters', () => {
      expect(issuePaths(referralSubmission({ sourceId: 'x'.repeat(100) }))).toEqual([]);
    });
  });
});
