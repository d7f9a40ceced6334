import * as z from 'zod/mini';
import {
  isValidBsn,
  isValidOnderwijsnummer,
  isValidPostcode,
  SCHOOL_LOCATION_PATTERN,
} from '../domain/identifiers.js';
import { isKnownMunicipality, MUNICIPALITY_LIST_DATE } from '../domain/municipality-codes.js';
import { hasControlCharacters } from '../domain/plausibility.js';
import { CONCERNS, REQUEST_TYPES, URGENCIES } from '../domain/vocabulary.js';

// zod's smaller build (zod/mini) throughout: the same validation at a third of the bundle size of
// the classic API, which does not tree-shake (see "Cold starts" in the README).

export const IsoDateSchema = z.iso.date({ error: 'must be a date as YYYY-MM-DD' });
/** RFC 3339 with offset; responses always use UTC ("Z"). */
export const DateTimeSchema = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 date-time with offset',
});

export const IdSchema = z.uuid({ error: 'must be a UUID' });

/**
 * A UUID as a client names a resource: case-insensitive (RFC 9562 §4), compared in lower case,
 * as the hub writes every id. For path parameters and ids in request bodies, never in answers.
 */
export const IdInputSchema = z.pipe(
  IdSchema,
  z.transform((id: string) => id.toLowerCase()),
);

export const SourceIdSchema = z.string().check(
  z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, {
    error: 'must be 1–100 characters: letters, digits, . _ : - (the sending system’s own id)',
  }),
  z.meta({ description: 'Identifier of the signal in the sending system; retrying with it is safe.' }),
);

export const SchoolLocationSchema = z.string().check(
  z.regex(SCHOOL_LOCATION_PATTERN, {
    error: 'must be a school location code: BRIN plus two digits, e.g. 12AB00',
  }),
  z.meta({ description: 'School location (vestiging): BRIN plus two digits.', example: '12AB00' }),
);

export const MunicipalityCodeSchema = z.string().check(
  z.regex(/^\d{4}$/, { error: 'must be a 4-digit CBS municipality code, e.g. 0363' }),
  z.refine(isKnownMunicipality, {
    error: `is not a municipality on the CBS list of ${MUNICIPALITY_LIST_DATE}`,
  }),
  z.meta({
    description: 'CBS municipality code (as in iJw messages) of where the pupil lives.',
    example: '0363',
  }),
);

export const BsnSchema = z.string().check(
  z.refine(isValidBsn, { error: 'is not a valid BSN: 9 digits passing the 11-proof' }),
  z.meta({
    description: 'Burgerservicenummer (never appears in URIs, logs or audit records).',
    example: '999900018',
  }),
);

export const OnderwijsnummerSchema = z.string().check(
  z.refine(isValidOnderwijsnummer, {
    error: 'is not a valid onderwijsnummer: 9 digits starting 10, mod-11 remainder 5',
  }),
  z.meta({ description: 'Onderwijsnummer, for a pupil without a BSN.' }),
);

export const PostcodeSchema = z.string().check(
  z.refine(isValidPostcode, {
    error: 'must be a Dutch postcode such as 1011AB (letters SA, SD, SS are not used)',
  }),
  z.meta({ example: '1011AB' }),
);

export const ConcernSchema = z.enum(CONCERNS, { error: `must be one of ${CONCERNS.join(', ')}` });
export const UrgencySchema = z.enum(URGENCIES, { error: `must be one of ${URGENCIES.join(', ')}` });
export const RequestTypeSchema = z.enum(REQUEST_TYPES, {
  error: `must be one of ${REQUEST_TYPES.join(', ')}`,
});

export const ConcernsSchema = z.array(ConcernSchema).check(
  z.minLength(1, { error: 'must name at least one concern' }),
  z.maxLength(CONCERNS.length),
  z.refine((items) => new Set(items).size === items.length, { error: 'must not repeat a concern' }),
);

/** Free text of at most `max` characters: trimmed, not empty, line breaks but no other control characters. */
export function textSchema(max: number) {
  return z.string().check(
    z.trim(),
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(max),
    z.refine((text) => !hasControlCharacters(text), {
      error: 'must not contain control characters (line breaks are fine)',
    }),
  );
}

/**
 * A rule across fields of one object. zod skips an object's checks once any of its fields failed;
 * this one still runs then, so one answer names every bad field, but not when a field it compares
 * is itself bad. (A check that aborts explicitly, as `z.int()` does, still stops it: write whole
 * numbers as a refinement in objects that have such a rule.)
 */
export function acrossFields<T extends object>(
  fields: readonly (keyof T & string)[],
  rule: (value: T, ctx: z.core.$RefinementCtx<T>) => void,
): z.core.$ZodCheck<T> {
  const compared = new Set<PropertyKey>(fields);
  const spoils = ({ path, code }: z.core.$ZodRawIssue) =>
    path?.[0] === undefined ? code !== 'unrecognized_keys' : compared.has(path[0]);
  return z.superRefine(rule, {
    // Not for input that is no object at all (`null`, a missing `pupil`): nothing to compare.
    when: ({ value, issues }) => typeof value === 'object' && value !== null && !issues.some(spoils),
  });
}

/** A pupil named by exactly one of BSN and onderwijsnummer (the latter for a pupil without a BSN). */
export function exactlyOneIdentifier<
  T extends { bsn?: string | undefined; onderwijsnummer?: string | undefined },
>() {
  return acrossFields<T>(['bsn', 'onderwijsnummer'], (pupil, ctx) => {
    if ((pupil.bsn === undefined) === (pupil.onderwijsnummer === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['bsn'], message: 'give exactly one of bsn and onderwijsnummer' });
    }
  });
}

/** Paginated list: `next` is an opaque cursor for the following page. */
export function pageOf<T extends z.ZodMiniType>(item: T) {
  return z.object({
    items: z.array(item),
    next: z.optional(
      z.string().check(z.meta({ description: 'Opaque cursor: pass as `cursor` for the next page.' })),
    ),
  });
}

const PAGE_SIZE = 'must be a whole number from 1 to 100';

/** DynamoDB's limit for a sort key value; partition keys may be longer, ours never are. */
const MAX_CURSOR_KEY_BYTES = 1024;

/**
 * The key a cursor carries, if it has the shape of every cursor this API issues: base64url of a
 * JSON object of short strings (a DynamoDB LastEvaluatedKey). Which keys, and whose partition, is
 * the store's check; this one lets the 400 name a forged cursor beside the other bad parameters.
 */
export function cursorKey(cursor: string): Record<string, string> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const values = Object.values(parsed);
  // DynamoDB refuses an empty string as a key value.
  const keyLike = (value: unknown) =>
    typeof value === 'string' && value.length > 0 && Buffer.byteLength(value, 'utf8') <= MAX_CURSOR_KEY_BYTES;
  return values.length > 0 && values.every(keyLike) ? (parsed as Record<string, string>) : undefined;
}

/** Strict: a query parameter the operation does not know is a 400 naming it. */
export const CursorQuerySchema = z.strictObject({
  cursor: z.optional(
    z.string().check(
      z.maxLength(2048),
      z.refine((cursor) => cursorKey(cursor) !== undefined, { error: 'is not a cursor this API issued' }),
      z.meta({ description: 'The `next` of the previous page; leave out for the first page.' }),
    ),
  ),
  // Digits only: a query string is text, and `0x10`, `1e2`, ` 5` or `5.0` are not how a page size
  // is written (number coercion took them all).
  limit: z
    ._default(
      z.pipe(
        // A refinement, not z.regex: the document says integer, and a pattern there would contradict it.
        z
          .string({ error: PAGE_SIZE })
          .check(z.refine((text) => /^(100|[1-9]\d?)$/.test(text), { error: PAGE_SIZE })),
        z.transform(Number),
      ),
      50,
    )
    .check(
      z.meta({
        type: 'integer',
        minimum: 1,
        maximum: 100,
        default: 50,
        description: 'Items per page, 1 to 100 (default 50).',
      }),
    ),
});

/** A yes/no query parameter: exactly `true` or `false` (a query string has no booleans). */
export const BooleanQuerySchema = z
  .pipe(
    z.enum(['true', 'false'], { error: 'must be true or false' }),
    z.transform((value) => value === 'true'),
  )
  .check(z.meta({ type: 'boolean' }));
