import fc from 'fast-check';
import type * as core from 'zod/v4/core';
import { AssignmentInputSchema } from '../../functions/follow-signals/declaration.js';
import { MAX_BATCH_ITEMS } from '../../schemas/api.js';
import { CreateAuditExportSchema } from '../../schemas/audit-export.js';
import { ReferralEventInputSchema } from '../../schemas/referral.js';
import { SignalSubmissionSchema, WithdrawInputSchema } from '../../schemas/signal.js';
import { SignalBatchSchema } from '../../schemas/signal-batch.js';
import { SubjectAccessRequestSchema } from '../../schemas/subject-access.js';
import { consultationSubmission, referralSubmission } from '../helpers/factories.js';
import type { Tenant } from './world.js';
import { TENANTS, TODAY, TOMORROW, YESTERDAY } from './world.js';

// A valid body for every body schema an operation declares, with what the v1 contract says about
// its fields beyond what holds for every field (wrong type, empty, control characters, lone
// surrogates, unknown keys: see mutations.ts). The values here are invalid by the contract
// itself — the README and the operation descriptions — not by asking the schema under test.
// The fuzz builds its requests for tenant A: a value naming another tenant's resource is B's.

/** A name that must appear in `invalidParams`: one of `anyOf`, or with `within`, a field under it. */
export interface NameRule {
  anyOf: readonly string[];
  within?: boolean;
}

export interface FieldRule {
  family: string;
  /** Dotted path of the field the rule sets (it may be absent from the valid body). */
  path: string;
  values: fc.Arbitrary<unknown>;
  /** Fields whose value makes this one invalid: mutating them too could make it valid again. */
  dependsOn?: readonly string[];
  names?: readonly NameRule[];
  /**
   * Only the stored data or the hub's configuration can tell the value is wrong (an id of no
   * consultation of the school, a team that does not serve the municipality): the operation
   * looks only once everything else is valid, so the mutation goes alone.
   */
  alone?: boolean;
}

export interface BodyVariant {
  name: string;
  build(tenant: Tenant): Record<string, unknown>;
  /** Dotted paths that may be left out of a valid body. */
  optional: readonly string[];
  /** Fields whose absence is only invalid because of another field's value. */
  requiredBecause?: Readonly<Record<string, readonly string[]>>;
  /** Names that may report a field's absence besides its own (one of two, say, is required). */
  missingNames?: Readonly<Record<string, readonly string[]>>;
  /** The field that picks the schema: a bad value there leaves nothing else to judge. */
  discriminator?: string;
  /** The field naming the caller's own tenant (a valid form of another tenant's value is a 403). */
  tenantField?: string;
  /** The field naming the tenant whose data the request reads (another tenant's value is a 404). */
  tenantLookup?: string;
  /** Keys a field at this path knows besides those in the valid body (never used as "unknown"). */
  knownKeys?: Readonly<Record<string, readonly string[]>>;
  /** Longest text allowed per dotted path. */
  maxLength: Readonly<Record<string, number>>;
  rules: readonly FieldRule[];
  /**
   * A batch's top-level list whose items the operation judges one by one (each answered in the
   * batch's result, see test/unit/receive-signal): mutations stop at the list itself.
   */
  batchItems?: string;
}

/** JSON text written into the body as it is: `1e309`, or nesting too deep to build as a value. */
export class RawJson {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text.length > 40 ? `${this.text.slice(0, 20)}…(${this.text.length} chars)` : this.text;
  }
}
export const raw = (text: string): RawJson => new RawJson(text);

function elevenProofSum(digits: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * (digits[i] ?? 0);
  return sum - (digits[8] ?? 0);
}

const mod11 = (n: number) => ((n % 11) + 11) % 11;
const eightDigits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 });

/** A BSN that passes the 11-proof (computed here, independently of domain/identifiers.ts). */
export const validBsn: fc.Arbitrary<string> = eightDigits
  .map((d) => [...d, mod11(elevenProofSum([...d, 0]))])
  .filter((d) => (d[8] ?? 10) <= 9 && d.some((x) => x !== 0))
  .map((d) => d.join(''));

/** An onderwijsnummer: 9 digits starting 10 whose weighted sum leaves 5 after division by 11. */
export const validOnderwijsnummer: fc.Arbitrary<string> = eightDigits
  .map((d) => [1, 0, ...d.slice(2)])
  .map((d) => [...d, mod11(elevenProofSum([...d, 0]) - 5)])
  .filter((d) => (d[8] ?? 10) <= 9)
  .map((d) => d.join(''));

/** Changing only the last digit changes the weighted sum by 1–9: never a multiple of 11 again. */
const failsElevenProof = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(valid, fc.integer({ min: 1, max: 9 }))
    .map(([n, delta]) => n.slice(0, 8) + String((Number(n[8]) + delta) % 10));

const BAD_BSNS = fc.oneof(
  failsElevenProof(validBsn),
  fc.constantFrom('12345678', '1234567890', '99990001x', '000000000', '999 900 018', '+99990001'),
);
const BAD_ONDERWIJSNUMMERS = fc.oneof(
  failsElevenProof(validOnderwijsnummer),
  fc.constantFrom('110000000', '10123456', '1012345640', '999900018'),
);

const BAD_DATES = fc.constantFrom(
  '2026-13-01',
  '2015-02-30',
  '2015-00-10',
  '2015-3-14',
  '14-03-2015',
  '2015/03/14',
  '20150314',
  '2015-03-14T00:00:00Z',
  'yesterday',
);

const longLocalPart = fc.integer({ min: 65, max: 120 }).map((n) => `${'a'.repeat(n)}@school.example`);
/** Over 254 characters (5 labels: 3 + 5 × 61 + 7 = 315), yet every label ≤ 63 and the local part ≤ 64. */
const longAddress = fc
  .integer({ min: 5, max: 8 })
  .map((labels) => `ib@${`${'d'.repeat(60)}.`.repeat(labels)}example`);

const BAD_EMAILS = fc.oneof(
  fc.constantFrom('nope', 'ib@', '@school.example', 'ib@@school.example', 'ib school@example.nl', 'ib@.nl'),
  longLocalPart,
  longAddress,
);

const COMMON_RULES: readonly FieldRule[] = [
  {
    family: 'bad-source-id',
    path: 'sourceId',
    values: fc.constantFrom('-lvs-1', '.lvs', 'lvs 123', 'lvs/123', 'lvs#1', 'lvs-ü'),
  },
  {
    family: 'bad-school-location',
    path: 'schoolLocation',
    values: fc.constantFrom('12ab00', '12AB0', '12AB000', 'ABCD00', '1ABC00', '12AB0O'),
  },
  {
    family: 'bad-municipality',
    path: 'pupil.municipality',
    values: fc.constantFrom('9999', '0000', '363', '03630', 'Amsterdam', 'GM0363'),
  },
  {
    family: 'bad-concerns',
    path: 'concerns',
    values: fc.constantFrom([], ['absence', 'absence'], ['boredom'], ['ABSENCE'], [1]),
    names: [{ anyOf: ['concerns'], within: true }],
  },
  { family: 'bad-urgency', path: 'urgency', values: fc.constantFrom('URGENT', 'high', 'Regular', 'spoed') },
  { family: 'bad-email', path: 'contact.email', values: BAD_EMAILS },
  {
    family: 'bad-phone',
    path: 'contact.phone',
    values: fc.constantFrom(
      'abc',
      '12345',
      '+31 6 1234 5678 9012 3456 78',
      '06-12\u000045678',
      '06\ud80012345678',
    ),
  },
];

const REFERRAL_DATE_RULES: readonly FieldRule[] = [
  { family: 'bad-date', path: 'pupil.birthDate', values: BAD_DATES },
  { family: 'year-zero', path: 'pupil.birthDate', values: fc.constant('0000-01-01') },
  {
    family: 'future-birth-date',
    path: 'pupil.birthDate',
    values: fc.constantFrom(TOMORROW, '2030-01-01', '9999-12-31'),
  },
  // No pupil was born yesterday or is 76 or 126 years old.
  {
    family: 'implausible-birth-date',
    path: 'pupil.birthDate',
    values: fc.constantFrom('1900-01-01', '1950-06-15', YESTERDAY, TODAY),
  },
  { family: 'bad-date', path: 'consent.recordedOn', values: BAD_DATES },
  {
    family: 'future-consent',
    path: 'consent.recordedOn',
    values: fc.constantFrom(TOMORROW, '2099-01-01'),
  },
  {
    family: 'consent-before-birth',
    path: 'consent.recordedOn',
    // The valid body's pupil is born on 2015-03-14.
    values: fc.constantFrom('2015-03-13', '2010-01-01', '0000-01-01'),
    dependsOn: ['pupil.birthDate'],
  },
];

/** A consultation's id and a team's id: well-formed, not this school's or this municipality's. */
const A = TENANTS.a;
const B = TENANTS.b;

/** The follow-up fields of a referral: the care team's day and the consultation it follows. */
const FOLLOW_UP_RULES: readonly FieldRule[] = [
  { family: 'bad-date', path: 'discussedInCareTeamOn', values: BAD_DATES },
  {
    family: 'future-care-team-discussion',
    path: 'discussedInCareTeamOn',
    values: fc.constantFrom(TOMORROW, '2027-01-01', '9999-12-31'),
  },
  {
    family: 'care-team-discussion-before-birth',
    path: 'discussedInCareTeamOn',
    // The valid body's pupil is born on 2015-03-14.
    values: fc.constantFrom('2015-03-13', '2010-01-01', '0000-01-01'),
    dependsOn: ['pupil.birthDate'],
  },
  {
    family: 'bad-uuid',
    path: 'followsConsultation',
    values: fc.constantFrom(
      'abc',
      '123',
      A.consultationId.replaceAll('-', ''),
      `${A.consultationId}x`,
      A.consultationId.replace('a', 'g'),
      A.consultationId.slice(0, 35),
      `{${A.consultationId}}`,
    ),
  },
  {
    // Unknown, another school's consultation, or a referral of its own: the same 400 for each, so
    // the answer tells nothing about other schools' signals.
    family: 'not-own-consultation',
    path: 'followsConsultation',
    values: fc.constantFrom(
      'cccccccc-0000-4000-8000-000000000099',
      B.consultationId,
      A.signalIds[0],
      A.unroutableSignalId,
    ),
    alone: true,
  },
];

const REFERRAL_MAX = {
  sourceId: 100,
  summary: 2000,
  'contact.name': 200,
  'contact.role': 100,
  'contact.email': 254,
};

function referralBody(tenant: Tenant, pupil: Record<string, unknown>) {
  return referralSubmission({
    schoolLocation: tenant.schoolLocation,
    pupil: { municipality: tenant.municipality, postcode: tenant.postcode, ...pupil },
  }) as unknown as Record<string, unknown>;
}

const BSN_REFERRAL: BodyVariant = {
  name: 'referral with bsn',
  build: (t) => referralBody(t, {}),
  optional: [],
  requiredBecause: { 'pupil.bsn': ['pupil.onderwijsnummer'] },
  missingNames: { 'pupil.bsn': ['pupil', 'pupil.onderwijsnummer'] },
  discriminator: 'requestType',
  tenantField: 'schoolLocation',
  knownKeys: {
    '': ['discussedInCareTeamOn', 'followsConsultation'],
    contact: ['phone'],
    pupil: ['onderwijsnummer'],
  },
  maxLength: REFERRAL_MAX,
  rules: [
    ...COMMON_RULES,
    ...REFERRAL_DATE_RULES,
    ...FOLLOW_UP_RULES,
    {
      family: 'bad-bsn',
      path: 'pupil.bsn',
      values: BAD_BSNS,
    },
    {
      family: 'bsn-and-onderwijsnummer',
      path: 'pupil.onderwijsnummer',
      values: validOnderwijsnummer,
      dependsOn: ['pupil.bsn'],
      names: [{ anyOf: ['pupil', 'pupil.bsn', 'pupil.onderwijsnummer'] }],
    },
    {
      family: 'bad-postcode',
      path: 'pupil.postcode',
      values: fc.constantFrom(
        '1011SS',
        '1011SA',
        '0123AB',
        '1011A',
        '1011 ab',
        '1011ABC',
        '10111AB',
        'AB1011',
      ),
    },
  ],
};

const ONDERWIJSNUMMER_REFERRAL: BodyVariant = {
  ...BSN_REFERRAL,
  name: 'referral with onderwijsnummer',
  build: (t) => referralBody(t, { bsn: undefined, onderwijsnummer: '101234564' }),
  requiredBecause: { 'pupil.onderwijsnummer': ['pupil.bsn'] },
  missingNames: { 'pupil.onderwijsnummer': ['pupil', 'pupil.bsn'] },
  knownKeys: {
    '': ['discussedInCareTeamOn', 'followsConsultation'],
    contact: ['phone'],
    pupil: ['bsn'],
  },
  rules: [
    ...COMMON_RULES,
    ...REFERRAL_DATE_RULES,
    ...FOLLOW_UP_RULES,
    {
      family: 'bad-onderwijsnummer',
      path: 'pupil.onderwijsnummer',
      values: BAD_ONDERWIJSNUMMERS,
    },
    {
      family: 'bsn-and-onderwijsnummer',
      path: 'pupil.bsn',
      values: validBsn,
      dependsOn: ['pupil.onderwijsnummer'],
      names: [{ anyOf: ['pupil', 'pupil.bsn', 'pupil.onderwijsnummer'] }],
    },
  ],
};

/**
 * A referral after the school's care team discussed the pupil, following up a consultation the
 * school sent before (the tenant's answered one): both optional fields present, so every field
 * mutation reaches them too.
 */
const FOLLOW_UP_REFERRAL: BodyVariant = {
  ...BSN_REFERRAL,
  name: 'referral following a consultation',
  build: (t) => ({
    ...referralBody(t, {}),
    sourceId: `lvs-${t.key}-follow-up`,
    discussedInCareTeamOn: '2026-11-18',
    followsConsultation: t.consultationId,
  }),
  optional: ['discussedInCareTeamOn', 'followsConsultation'],
};

const IDENTIFYING = 'identifying-field-in-consultation';

const CONSULTATION: BodyVariant = {
  name: 'consultation',
  build: (t) =>
    consultationSubmission({
      schoolLocation: t.schoolLocation,
      pupil: { municipality: t.municipality },
    }) as unknown as Record<string, unknown>,
  optional: [],
  discriminator: 'requestType',
  tenantField: 'schoolLocation',
  knownKeys: {
    '': ['consent'],
    contact: ['phone'],
    pupil: ['bsn', 'onderwijsnummer', 'birthDate', 'postcode', 'name', 'address'],
  },
  maxLength: REFERRAL_MAX,
  rules: [
    ...COMMON_RULES,
    {
      family: 'bad-age',
      path: 'pupil.age',
      values: fc.constantFrom(-1, 31, 9.5, 1000, '9', 'NaN', raw('1e309'), raw('-1e309'), raw('9e999')),
    },
    { family: IDENTIFYING, path: 'pupil.bsn', values: validBsn },
    { family: IDENTIFYING, path: 'pupil.onderwijsnummer', values: validOnderwijsnummer },
    { family: IDENTIFYING, path: 'pupil.birthDate', values: fc.constantFrom('2015-03-14', '2017-01-01') },
    { family: IDENTIFYING, path: 'pupil.postcode', values: fc.constantFrom('1011AB', '2181 AA') },
    { family: IDENTIFYING, path: 'pupil.name', values: fc.constantFrom('Jan Jansen', 'J.') },
    { family: IDENTIFYING, path: 'pupil.address', values: fc.constantFrom('Damrak 1, Amsterdam', 'x') },
    {
      family: IDENTIFYING,
      path: 'consent',
      values: fc.constant({ parents: true, pupil: false, recordedOn: '2026-11-20' }),
    },
    // A consultation starts no clock and follows nothing up: the referral's fields are unknown here.
    {
      family: 'referral-field-in-consultation',
      path: 'discussedInCareTeamOn',
      values: fc.constantFrom(YESTERDAY, '2026-11-18'),
    },
    {
      family: 'referral-field-in-consultation',
      path: 'followsConsultation',
      values: fc.constant(A.consultationId),
    },
  ],
};

/** Bad values for an optional free-text field that the valid body leaves out. */
const badOptionalText = (max: number) =>
  fc.constantFrom('', '   ', 'a'.repeat(max + 1), 'a\u0001b', 'x\ud800y', 'x\udc00y', 42, null, ['why']);

const WITHDRAW_WITH_REASON: BodyVariant = {
  name: 'withdrawal with a reason',
  build: () => ({ reason: 'Parents withdrew consent.' }),
  optional: ['reason'],
  maxLength: { reason: 500 },
  rules: [],
};

const WITHDRAW_EMPTY: BodyVariant = {
  name: 'withdrawal without a reason',
  build: () => ({}),
  optional: [],
  maxLength: {},
  rules: [{ family: 'bad-optional-text', path: 'reason', values: badOptionalText(500) }],
};

const BAD_EVENT_TYPES = fc.constantFrom('ACCEPTED', 'accept', 'withdrawn', 'queued', 'deleted', ' accepted');

/** Not of the form of a team id: lowercase letters, digits and single hyphens, at most 40. */
const BAD_TEAM_IDS = fc.constantFrom(
  'JGT-Amsterdam',
  'jgt--amsterdam',
  '-jgt',
  'jgt-',
  'jgt amsterdam',
  'jgt_amsterdam',
  'jgt-ämsterdam',
  'jgt/amsterdam',
  'j'.repeat(41),
);

const EVENT_ACCEPTED: BodyVariant = {
  name: 'accepted event',
  build: () => ({ type: 'accepted' }),
  optional: [],
  maxLength: {},
  rules: [
    { family: 'bad-event-type', path: 'type', values: BAD_EVENT_TYPES },
    { family: 'bad-optional-text', path: 'reason', values: badOptionalText(1000) },
    { family: 'bad-team-id', path: 'suggestedTeamId', values: BAD_TEAM_IDS },
    {
      // A team is suggested only with a rejection, however well it would fit.
      family: 'suggestion-without-rejection',
      path: 'suggestedTeamId',
      values: fc.constantFrom(B.teamId, A.teamId, 'cjg-amsterdam-veiligheid'),
      // A bad `type` leaves nothing to judge this by.
      dependsOn: ['type'],
    },
  ],
};

const EVENT_REJECTED: BodyVariant = {
  name: 'rejected event with a reason',
  build: () => ({ type: 'rejected', reason: 'The family already receives support from another team.' }),
  optional: [],
  requiredBecause: { reason: ['type'] },
  knownKeys: { '': ['suggestedTeamId'] },
  maxLength: { reason: 1000 },
  rules: [
    { family: 'bad-event-type', path: 'type', values: BAD_EVENT_TYPES, dependsOn: ['reason'] },
    { family: 'bad-team-id', path: 'suggestedTeamId', values: BAD_TEAM_IDS },
    {
      // The rejecting team itself, another municipality's team, no team of this hub: only another
      // team serving the referral's municipality may be suggested (the fake hub has none for A's).
      family: 'unsuitable-suggestion',
      path: 'suggestedTeamId',
      values: fc.constantFrom(A.teamId, B.teamId, 'jgt-nergenshuizen'),
      alone: true,
    },
  ],
};

/**
 * The municipality gives its unroutable signal to its team. `teamId` names no tenant the way
 * `tenantField` and `tenantLookup` mean: the signal in the path does (another municipality's is a
 * 404), and another tenant's team is a 400 naming `teamId` (it does not serve the signal's
 * municipality), which the hub can tell only from its configuration, after everything else.
 * The reason is free text like any other: missing, empty, blank, too long, with control
 * characters or lone surrogates, of another type — the field mutations of every body.
 */
const ASSIGNMENT: BodyVariant = {
  name: 'assignment',
  build: (t) => ({
    teamId: t.teamId,
    reason: 'No rule for this school location yet; the local team takes these for now.',
  }),
  optional: [],
  maxLength: { teamId: 40, reason: 1000 },
  rules: [
    { family: 'bad-team-id', path: 'teamId', values: BAD_TEAM_IDS },
    {
      family: 'unsuitable-team',
      path: 'teamId',
      values: fc.constantFrom(B.teamId, 'jgt-nergenshuizen', 'cjg-amsterdam-veiligheid'),
      alone: true,
    },
  ],
};

/**
 * A backlog of a new referral and a signal the tenant sent before with other content (a 409 item
 * naming it): which signal another tenant's school client cannot learn. Its items' school
 * location is only the items' business (a foreign one is a 403 item), so it names no tenant field.
 */
const BACKLOG: BodyVariant = {
  name: 'backlog',
  build: (t) => ({
    signals: [
      { ...referralBody(t, {}), sourceId: `lvs-${t.key}-backlog` },
      { ...referralBody(t, {}), sourceId: `lvs-${t.key}-0`, urgency: 'urgent' },
    ],
  }),
  optional: [],
  batchItems: 'signals',
  maxLength: {},
  rules: [
    {
      family: 'bad-batch-size',
      path: 'signals',
      values: fc
        .constantFrom(0, MAX_BATCH_ITEMS + 1, MAX_BATCH_ITEMS + 50)
        .map((n) => Array.from({ length: n }, (_, i) => ({ sourceId: `lvs-${i}` }))),
    },
  ],
};

const SUBJECT_ACCESS_RULES: readonly FieldRule[] = [
  {
    family: 'bad-municipality',
    path: 'municipality',
    values: fc.constantFrom('9999', '0000', '363', '03630', 'Amsterdam', 'GM0363'),
  },
  {
    family: 'bad-limit',
    path: 'limit',
    values: fc.constantFrom(0, 101, 2.5, -1, '10', null),
  },
];

/** A subject access request (AVG art. 15) by BSN, with a page size. */
const SUBJECT_ACCESS_BY_BSN: BodyVariant = {
  name: 'subject access by bsn',
  build: (t) => ({ municipality: t.municipality, pupil: { bsn: '999900043' }, limit: 25 }),
  optional: ['limit'],
  requiredBecause: { 'pupil.bsn': ['pupil.onderwijsnummer'] },
  missingNames: { 'pupil.bsn': ['pupil', 'pupil.onderwijsnummer'] },
  tenantLookup: 'municipality',
  knownKeys: { '': ['cursor'], pupil: ['onderwijsnummer'] },
  maxLength: {},
  rules: [
    ...SUBJECT_ACCESS_RULES,
    { family: 'bad-bsn', path: 'pupil.bsn', values: BAD_BSNS },
    {
      family: 'bsn-and-onderwijsnummer',
      path: 'pupil.onderwijsnummer',
      values: validOnderwijsnummer,
      dependsOn: ['pupil.bsn'],
      names: [{ anyOf: ['pupil', 'pupil.bsn', 'pupil.onderwijsnummer'] }],
    },
  ],
};

/** The same by onderwijsnummer, for a pupil without a BSN, on the default page size. */
const SUBJECT_ACCESS_BY_ONDERWIJSNUMMER: BodyVariant = {
  name: 'subject access by onderwijsnummer',
  build: (t) => ({ municipality: t.municipality, pupil: { onderwijsnummer: '101234564' } }),
  optional: [],
  requiredBecause: { 'pupil.onderwijsnummer': ['pupil.bsn'] },
  missingNames: { 'pupil.onderwijsnummer': ['pupil', 'pupil.bsn'] },
  tenantLookup: 'municipality',
  knownKeys: { '': ['cursor', 'limit'], pupil: ['bsn'] },
  maxLength: {},
  rules: [
    ...SUBJECT_ACCESS_RULES,
    { family: 'bad-onderwijsnummer', path: 'pupil.onderwijsnummer', values: BAD_ONDERWIJSNUMMERS },
    {
      family: 'bsn-and-onderwijsnummer',
      path: 'pupil.bsn',
      values: validBsn,
      dependsOn: ['pupil.onderwijsnummer'],
      names: [{ anyOf: ['pupil', 'pupil.bsn', 'pupil.onderwijsnummer'] }],
    },
  ],
};

/** An audit export of the tenant's own municipality; `to` must come after `from`, within five years. */
const AUDIT_EXPORT: BodyVariant = {
  name: 'audit export',
  build: (t) => ({
    municipality: t.municipality,
    from: '2026-01-01T00:00:00Z',
    to: '2026-06-01T00:00:00+02:00',
    format: 'csv',
  }),
  optional: [],
  tenantField: 'municipality',
  maxLength: {},
  rules: [
    SUBJECT_ACCESS_RULES[0] as FieldRule,
    { family: 'bad-format', path: 'format', values: fc.constantFrom('xlsx', 'NDJSON', '', null, 1, ['csv']) },
    {
      family: 'bad-instant',
      path: 'from',
      values: fc.constantFrom('2026-01-01', 'yesterday', 20260101, '2026-13-01T00:00:00Z', null),
      dependsOn: ['to'],
    },
    {
      family: 'bad-instant',
      path: 'to',
      values: fc.constantFrom(
        '2026-06-01',
        '2025-12-31T23:59:59Z',
        '2031-06-02T00:00:00Z',
        '2026-01-01T00:00:00Z',
      ),
      dependsOn: ['from'],
    },
  ],
};

/**
 * Valid bodies by the body schema an operation declares. An operation with a body schema that is
 * not here makes the fuzz throw: a new operation needs its valid bodies before it can be fuzzed.
 */
export const VALID_BODIES: ReadonlyMap<core.$ZodType, readonly BodyVariant[]> = new Map<
  core.$ZodType,
  readonly BodyVariant[]
>([
  [SignalSubmissionSchema, [BSN_REFERRAL, ONDERWIJSNUMMER_REFERRAL, FOLLOW_UP_REFERRAL, CONSULTATION]],
  [WithdrawInputSchema, [WITHDRAW_WITH_REASON, WITHDRAW_EMPTY]],
  [SignalBatchSchema, [BACKLOG]],
  [ReferralEventInputSchema, [EVENT_ACCEPTED, EVENT_REJECTED]],
  [SubjectAccessRequestSchema, [SUBJECT_ACCESS_BY_BSN, SUBJECT_ACCESS_BY_ONDERWIJSNUMMER]],
  [CreateAuditExportSchema, [AUDIT_EXPORT]],
  [AssignmentInputSchema, [ASSIGNMENT]],
]);

export function bodyVariantsOf(schema: core.$ZodType, operationId: string): readonly BodyVariant[] {
  const variants = VALID_BODIES.get(schema);
  if (!variants?.length) {
    throw new Error(`test/hostile/valid-bodies.ts has no valid body for ${operationId}'s body schema`);
  }
  return variants;
}
