import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type * as core from 'zod/v4/core';
import { parseWith, toInvalidParams } from '../../../functions/shared/http/invalid-params.js';
import { SignalSubmissionSchema } from '../../../schemas/signal.js';
import { consultationSubmission, referralSubmission } from '../../helpers/factories.js';

function paramsFor(schema: core.$ZodType, input: unknown) {
  const result = z.safeParse(schema, input);
  if (result.success) throw new Error('expected the input to be invalid');
  return toInvalidParams(result.error, [], input);
}

describe('toInvalidParams', () => {
  it.each([
    [
      'a BSN on a consultation',
      consultationSubmission({ pupil: { bsn: '999900018' } as never }),
      'pupil.bsn',
      /must not be present/,
    ],
    [
      'an age given as text',
      consultationSubmission({ pupil: { age: 'ten' } as never }),
      'pupil.age',
      /whole years/,
    ],
    [
      'consent given as text',
      referralSubmission({ consent: { parents: 'yes' } as never }),
      'consent.parents',
      /true or false/,
    ],
  ])('explains %s instead of calling a present value missing', (_case, input, name, reason) => {
    const params = paramsFor(SignalSubmissionSchema, input);

    const param = params.find((p) => p.name === name);
    expect(param?.reason).toMatch(reason);
    expect(param?.reason).not.toBe('is required');
  });

  it('names a nested field by its dotted path', () => {
    const params = paramsFor(SignalSubmissionSchema, referralSubmission({ pupil: { bsn: '123456789' } }));

    expect(params).toEqual([
      { name: 'pupil.bsn', reason: 'is not a valid BSN: 9 digits passing the 11-proof' },
    ]);
  });

  it('names an array element by its index', () => {
    const params = paramsFor(SignalSubmissionSchema, {
      ...referralSubmission(),
      concerns: ['absence', 'boredom'],
    });

    expect(params.map((p) => p.name)).toEqual(['concerns.1']);
  });

  it('says "is required" for a missing field', () => {
    const { summary: _dropped, ...body } = referralSubmission();

    expect(paramsFor(SignalSubmissionSchema, body)).toEqual([{ name: 'summary', reason: 'is required' }]);
  });

  it('gives each unrecognized key its own entry at its own path', () => {
    const body = { ...referralSubmission(), remarks: 'x', priority: 1 };
    body.contact = { ...body.contact, ...{ mobile: '06', fax: '020' } };

    const params = paramsFor(SignalSubmissionSchema, body);

    expect(params.map((p) => p.name).sort()).toEqual([
      'contact.fax',
      'contact.mobile',
      'priority',
      'remarks',
    ]);
    expect(new Set(params.map((p) => p.reason))).toEqual(new Set(['is not a known field']));
  });

  it('gives one entry per field, with the most basic reason first', () => {
    // '12' fails the 4-digit format and the CBS list: only the format is reported.
    const params = paramsFor(SignalSubmissionSchema, referralSubmission({ pupil: { municipality: '12' } }));

    expect(params).toEqual([
      { name: 'pupil.municipality', reason: 'must be a 4-digit CBS municipality code, e.g. 0363' },
    ]);
  });

  it('reports every bad field of one body', () => {
    const params = paramsFor(
      SignalSubmissionSchema,
      referralSubmission({
        urgency: 'asap' as 'urgent',
        contact: { email: 'nope' },
        pupil: { postcode: '0123AB' },
      }),
    );

    expect(params.map((p) => p.name).sort()).toEqual(['contact.email', 'pupil.postcode', 'urgency']);
  });

  it('names identifying data in a consultation at its path', () => {
    const body = {
      ...consultationSubmission(),
      pupil: { age: 9, municipality: '0363', birthDate: '2017-01-01' },
    };

    expect(paramsFor(SignalSubmissionSchema, body).map((p) => p.name)).toEqual(['pupil.birthDate']);
  });

  it('names the body itself when the input is not an object', () => {
    expect(paramsFor(z.object({ a: z.string() }), 'text').map((p) => p.name)).toEqual(['(body)']);
  });

  it('puts the prefix in front of every path', () => {
    const result = z.strictObject({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: 'x' }, c: 1 });
    if (result.success) throw new Error('expected the input to be invalid');

    expect(
      toInvalidParams(result.error, ['query'])
        .map((p) => p.name)
        .sort(),
    ).toEqual(['query.a.b', 'query.c']);
  });
});

describe('parseWith', () => {
  it('returns the parsed value when the input is valid', () => {
    expect(parseWith(z.object({ limit: z.coerce.number() }), { limit: '5' })).toEqual({
      ok: true,
      value: { limit: 5 },
    });
  });

  it('returns the invalid params when the input is invalid', () => {
    expect(parseWith(z.object({ limit: z.number() }), {})).toEqual({
      ok: false,
      invalidParams: [{ name: 'limit', reason: 'is required' }],
    });
  });
});

describe('readable reasons', () => {
  const reasonFor = (schema: z.ZodType, input: unknown) => {
    const result = parseWith(z.object({ field: schema }), { field: input });
    if (result.ok) throw new Error('expected the input to be invalid');
    return result.invalidParams[0]?.reason;
  };

  it.each<[string, z.ZodType, unknown, string]>([
    ['a string too long', z.string().max(2000), 'x'.repeat(2001), 'must be at most 2000 characters'],
    ['a string of one character too long', z.string().max(1), 'xy', 'must be at most 1 character'],
    ['an empty string', z.string().min(1), '', 'must not be empty'],
    ['a string too short', z.string().min(3), 'ab', 'must be at least 3 characters'],
    ['a number too large', z.number().max(30), 31, 'must be at most 30'],
    ['a number too small', z.number().min(0), -1, 'must be at least 0'],
    ['a number not strictly less', z.number().lt(5), 5, 'must be less than 5'],
    ['a fraction for a whole number', z.number().int(), 1.5, 'must be a whole number'],
    ['text for a number', z.number(), 'ten', 'must be a number'],
    ['a number for text', z.string(), 5, 'must be text'],
    ['text for a boolean', z.boolean(), 'yes', 'must be true or false'],
    ['a list too long', z.array(z.string()).max(2), ['a', 'b', 'c'], 'must have at most 2 items'],
    ['an empty list', z.array(z.string()).min(1), [], 'must have at least 1 item'],
    ['a value outside an enum', z.enum(['a', 'b']), 'c', 'must be one of a, b'],
    ['a wrong literal', z.literal('referral'), 'x', 'must be "referral"'],
    ['a bad e-mail address', z.email(), 'nope', 'must be an e-mail address'],
    ['a bad UUID', z.uuid(), 'x', 'must be a UUID'],
    ['a bad date', z.iso.date(), '2026-13-01', 'must be a date as YYYY-MM-DD'],
    [
      'a date-time without offset',
      z.iso.datetime({ offset: true }),
      '2026-11-22T10:00:00',
      'must be an RFC 3339 date-time with offset',
    ],
    ['a text not matching a pattern', z.string().regex(/^\d+$/), 'x', 'does not have the expected form'],
  ])('words %s as a sentence', (_case, schema, input, reason) => {
    expect(reasonFor(schema, input)).toBe(reason);
  });

  it('keeps a reason the schema gives itself', () => {
    expect(reasonFor(z.string().max(3, { error: 'must be a short code' }), 'long')).toBe(
      'must be a short code',
    );
  });

  it('never passes zod’s own wording on, for any field of a submission with every field wrong', () => {
    const result = parseWith(SignalSubmissionSchema, {
      sourceId: '',
      requestType: 'referral',
      schoolLocation: 5,
      pupil: { bsn: 'x', birthDate: 'y', municipality: 'z', postcode: 1, extra: true },
      concerns: ['nope', 'nope'],
      urgency: 'soon',
      summary: 'x'.repeat(2001),
      consent: { parents: 'yes', pupil: null, recordedOn: 'tomorrow' },
      contact: { name: '', role: 'x'.repeat(101), email: 'a', phone: '?' },
    });
    if (result.ok) throw new Error('expected the input to be invalid');

    expect(result.invalidParams.length).toBeGreaterThan(10);
    for (const { name, reason } of result.invalidParams) {
      expect(reason, name).not.toMatch(/Invalid|Too (big|small)|expected|received/);
      expect(reason, name).toMatch(/^(must|is|does|give) /);
    }
  });
});
