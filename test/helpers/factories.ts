import type { ConsultationSubmission, ReferralSubmission } from '../../schemas/signal.js';

/**
 * Overrides for a factory: every property optional at every depth. Arrays are replaced whole,
 * plain objects are merged, and a property set to `undefined` is removed from the result (so
 * `referralSubmission({ pupil: { bsn: undefined } })` builds a pupil without a BSN).
 */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge that never mutates its inputs and copies arrays, so built objects share nothing. */
export function deepMerge<T>(base: T, overrides: DeepPartial<T> | undefined): T {
  const result: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  if (!overrides) return result as T;
  for (const [key, value] of Object.entries(overrides as Record<string, unknown>)) {
    if (value === undefined) {
      delete result[key];
    } else if (isPlainObject(value) && isPlainObject(result[key])) {
      result[key] = deepMerge(result[key], value);
    } else {
      result[key] = structuredClone(value);
    }
  }
  return result as T;
}

/** The v1 contract example of a referral (pupil aged 11 on `consent.recordedOn`, parents consent). */
export function referralSubmission(overrides?: DeepPartial<ReferralSubmission>): ReferralSubmission {
  const base: ReferralSubmission = {
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
  return deepMerge<ReferralSubmission>(base, overrides);
}

/** A consultation about an anonymous 9-year-old in Amsterdam: no identifying data, no consent. */
export function consultationSubmission(
  overrides?: DeepPartial<ConsultationSubmission>,
): ConsultationSubmission {
  const base: ConsultationSubmission = {
    sourceId: 'lvs-000124',
    requestType: 'consultation',
    schoolLocation: '12AB00',
    pupil: { age: 9, municipality: '0363' },
    concerns: ['behaviour'],
    urgency: 'regular',
    summary: 'Pupil withdraws in class; how can we support?',
    contact: { name: 'J. de Vries', role: 'intern begeleider', email: 'ib@school.example' },
  };
  return deepMerge<ConsultationSubmission>(base, overrides);
}
