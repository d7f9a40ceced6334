import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseWith, toInvalidParams } from '../../../functions/shared/http/invalid-params.js';
import { SignalSubmissionSchema } from '../../../schemas/signal.js';
import { consultationSubmission, referralSubmission } from '../../helpers/factories.js';

function paramsFor(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
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
