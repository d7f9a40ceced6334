import type { StoredReferral, StoredSignal } from '../../functions/shared/model.js';
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

/**
 * A stored referral signal as submit-signal writes it (status `received`, version 1), built from
 * `referralSubmission()`; the pseudonym is a placeholder, not derived from the BSN.
 */
export function storedSignal(overrides?: DeepPartial<StoredSignal>): StoredSignal {
  const submission = referralSubmission();
  const base: StoredSignal = {
    id: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
    sourceClientId: 'school-1',
    sourceId: submission.sourceId,
    contentHash: 'a'.repeat(64),
    status: 'received',
    requestType: 'referral',
    schoolLocation: submission.schoolLocation,
    municipality: submission.pupil.municipality,
    urgency: submission.urgency,
    concerns: submission.concerns,
    age: 11,
    pupilPseudonym: 'pp-placeholder-pseudonym-000000000',
    // An opaque token of FakeVault; `FakeVault.keep` gives it the referralSubmission() contents.
    sealedSubmission: 'sealed:example',
    referralIds: [],
    receivedAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:00.000Z',
    version: 1,
    lastChange: {
      eventType: 'signal.received',
      at: '2026-11-22T10:00:00.000Z',
      actor: { clientId: 'school-1', role: 'school', organisation: 'Stichting De Regenboog' },
      onBehalfOf: { schoolLocation: submission.schoolLocation },
      details: { requestType: 'referral', urgency: 'regular' },
    },
  };
  return deepMerge<StoredSignal>(base, overrides);
}

/** A referral of `storedSignal()` to team `jgt-amsterdam`, as route-signal writes it (`queued`). */
export function storedReferral(overrides?: DeepPartial<StoredReferral>): StoredReferral {
  const base: StoredReferral = {
    id: '7e1d9d5f-7a1b-4d64-8a2f-1c8c9eab2d02',
    signalId: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
    teamId: 'jgt-amsterdam',
    municipality: '0363',
    ruleId: 'amsterdam-default',
    status: 'queued',
    requestType: 'referral',
    urgency: 'regular',
    concerns: ['absence', 'home-situation'],
    pupilPseudonym: 'pp-placeholder-pseudonym-000000000',
    history: [{ status: 'queued', at: '2026-11-22T10:00:05.000Z' }],
    createdAt: '2026-11-22T10:00:05.000Z',
    updatedAt: '2026-11-22T10:00:05.000Z',
    version: 1,
    lastChange: {
      eventType: 'referral.queued',
      at: '2026-11-22T10:00:05.000Z',
      actor: { clientId: 'schakel', role: 'system', organisation: 'Schakel' },
      onBehalfOf: { schoolLocation: '12AB00', teamId: 'jgt-amsterdam' },
      details: { teamId: 'jgt-amsterdam', ruleId: 'amsterdam-default', organisation: 'OKT' },
    },
  };
  return deepMerge<StoredReferral>(base, overrides);
}
