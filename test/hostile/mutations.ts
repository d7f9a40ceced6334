import fc from 'fast-check';
import { CLIENT_ROLES, type ClientRole } from '../../domain/vocabulary.js';
import type { RegisteredOperation } from '../../functions/registry.js';
import { MAX_BODY_BYTES } from '../../schemas/api.js';
import { type BaseRequest, queryShapeOf, roleQueryOf, serializeBody, validQueryValue } from './requests.js';
import type { BodyVariant, NameRule } from './valid-bodies.js';
import { raw, validBsn } from './valid-bodies.js';
import { OTHER, TENANTS } from './world.js';

// Mutations that each make a valid request definitely invalid, as data (so a failing case prints
// as what was done to the request). Every mutation says what the contract promises for it: the
// status, and for a 400 the names `invalidParams` must carry. Which mutations may go together is
// decided by what they touch: two mutations of one field, or of a field and its parent, would
// blur which of them the answer is about.

export type Segment = string | number;

export type Edit =
  | { on: 'client'; role: ClientRole }
  | { on: 'path'; key: string; value: string }
  | { on: 'query'; key: string; value: string | undefined }
  | { on: 'header'; name: string; value: string | undefined }
  | { on: 'body-text'; text: string }
  | { on: 'body'; op: 'set'; path: readonly Segment[]; value: unknown }
  | { on: 'body'; op: 'delete'; path: readonly Segment[] }
  | { on: 'body'; op: 'insert'; path: readonly Segment[]; at: number; text: string };

export type Expectation = { status: 400; names: readonly NameRule[] } | { status: 403 | 413 | 415 };

/**
 * `role` replaces the caller and decides the answer alone; `exclusive` (413, 415, a forged cursor
 * only the store can tell) goes alone;
 * `whole-body` (unparseable, wrong top-level type, a forbidden key, the discriminator) combines
 * with mutations outside the body; `field` and `request` (path, query, header) combine freely.
 */
export type Scope = 'role' | 'exclusive' | 'whole-body' | 'field' | 'request';

export interface Mutation {
  /** `family@target`, e.g. `overlong@body.summary`. */
  name: string;
  family: string;
  scope: Scope;
  /** Dotted parts of the request it changes or depends on (`body.pupil.bsn`, `query.limit`). */
  touches: readonly string[];
  edits: readonly Edit[];
  expect: Expectation;
}

const named = (...names: string[]): NameRule[] => names.map((n) => ({ anyOf: [n] }));

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** Mutations that may be applied to one request together. */
export function compatible(mutations: readonly Mutation[]): boolean {
  if (mutations.length > 1 && mutations.some((m) => m.scope === 'exclusive' || m.scope === 'role'))
    return false;
  return mutations.every((m, i) =>
    mutations.slice(i + 1).every((o) => !m.touches.some((t) => o.touches.some((u) => overlaps(t, u)))),
  );
}

// --- text that is wrong anywhere --------------------------------------------------------------

// Control characters the contract refuses in text: C0 without line feed and carriage return, DEL.
const CONTROL = fc.constantFrom(
  ...[...Array(32).keys()].filter((c) => c !== 0x0a && c !== 0x0d).map((c) => String.fromCharCode(c)),
  '\u007f',
);
const LONE_SURROGATE = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff');
const BLANK = fc.constantFrom(' ', '   ', '\t', '\n', '\r\n', '\u00a0', ' \n ');

// --- the body -----------------------------------------------------------------------------------

interface Node {
  path: Segment[];
  value: unknown;
}

/** Every node of a body; a batch's list of items (`opaque`) is a node, its items are not. */
function nodesOf(value: unknown, path: Segment[] = [], opaque?: string): Node[] {
  const here: Node = { path, value };
  if (path.length === 1 && path[0] === opaque) return [here];
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => nodesOf(v, [...path, i], opaque))];
  if (value !== null && typeof value === 'object') {
    return [here, ...Object.entries(value).flatMap(([k, v]) => nodesOf(v, [...path, k], opaque))];
  }
  return [here];
}

const dotted = (path: readonly Segment[]) => path.join('.');

/** A table entry by own key only: field names like `toString` must not find Object.prototype's. */
function own<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}
const bodyTouch = (path: readonly Segment[]) => (path.length ? `body.${dotted(path)}` : 'body');

/** A JSON value of another type than `value`'s: wrong for any field (the schemas never coerce). */
function otherTypeThan(value: unknown): fc.Arbitrary<unknown> {
  const all = {
    string: fc.constantFrom('1', 'true', 'null', '{}', '[]'),
    number: fc.constantFrom(0, 1, -1, 12.5),
    boolean: fc.boolean(),
    null: fc.constant(null),
    object: fc.constantFrom({}, { value: 'x' }),
    array: fc.constantFrom([], ['x'], [1, 2]),
  };
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return fc.oneof(...Object.entries(all).flatMap(([t, arb]) => (t === type ? [] : [arb])));
}

/** Nested far deeper than any request of this API, as JSON text (too deep to build as a value). */
const DEEP_JUNK = fc.oneof(
  fc.integer({ min: 100, max: 5000 }).map((n) => raw(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`)),
  fc.integer({ min: 100, max: 20000 }).map((n) => raw(`${'['.repeat(n)}${']'.repeat(n)}`)),
);

/** Field names no schema of this API knows, some of them Object.prototype's own. */
const UNKNOWN_KEYS = [
  'remarks',
  'isAdmin',
  'id',
  'status',
  'pupilName',
  'Summary',
  'bsn_',
  'x-debug',
  '$where',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'constructor',
];

/** An unknown top-level field holding objects nested `depth` deep: valid JSON, about 6 bytes a level. */
export function deeplyNestedField(field: string, depth: number): Mutation {
  return {
    name: `deep-junk@body.${field}`,
    family: 'deep-junk',
    scope: 'whole-body',
    touches: ['body'],
    edits: [
      { on: 'body', op: 'set', path: [field], value: raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) },
    ],
    expect: { status: 400, names: [{ anyOf: [field, '(body)'] }] },
  };
}

interface BodyContext {
  variant: BodyVariant;
  body: Record<string, unknown>;
  /** The operation's largest body in bytes. */
  maxBytes: number;
}

function bodyMutation(
  family: string,
  path: readonly Segment[],
  edits: (p: readonly Segment[]) => Edit[],
  ctx: BodyContext,
  options: {
    names?: readonly NameRule[];
    dependsOn?: readonly string[];
    wholeBody?: boolean;
    alone?: boolean;
  } = {},
): Mutation {
  const name = dotted(path);
  const discriminator = ctx.variant.discriminator;
  const onDiscriminator = discriminator !== undefined && (name === discriminator || path.length === 0);
  const whole = options.wholeBody || onDiscriminator;
  const deps = [...(options.dependsOn ?? []), ...(own(ctx.variant.requiredBecause, name) ?? [])];
  return {
    name: `${family}@${bodyTouch(path)}`,
    family,
    scope: options.alone ? 'exclusive' : whole ? 'whole-body' : 'field',
    touches: whole ? ['body'] : [bodyTouch(path), ...deps.map((d) => `body.${d}`)],
    edits: edits(path),
    expect: {
      status: 400,
      // A bad discriminator leaves no schema to judge the body by: naming the body is as good.
      names: (options.names ?? [{ anyOf: [name] }]).map((rule) =>
        onDiscriminator ? { ...rule, anyOf: [...rule.anyOf, '(body)'] } : rule,
      ),
    },
  };
}

function setAt(
  family: string,
  path: readonly Segment[],
  values: fc.Arbitrary<unknown>,
  ctx: BodyContext,
  options = {},
) {
  return values.map((value) =>
    bodyMutation(family, path, (p) => [{ on: 'body', op: 'set', path: p, value }], ctx, options),
  );
}

function insertInto(
  family: string,
  node: Node & { value: string },
  chars: fc.Arbitrary<string>,
  ctx: BodyContext,
) {
  return fc
    .tuple(chars, fc.nat())
    .map(([text, at]) =>
      bodyMutation(family, node.path, (p) => [{ on: 'body', op: 'insert', path: p, at, text }], ctx),
    );
}

/** Mutations of every field, from the shape of the valid body: wrong whatever the field is. */
function genericFieldMutations(ctx: BodyContext): fc.Arbitrary<Mutation>[] {
  const { variant } = ctx;
  const out: fc.Arbitrary<Mutation>[] = [];
  for (const node of nodesOf(ctx.body, [], variant.batchItems)) {
    const { path, value } = node;
    const name = dotted(path);
    if (path.length > 0) {
      out.push(setAt('wrong-type', path, otherTypeThan(value), ctx));
      // Refusing such a body as a whole ("(body)") is as good as naming the field, so deep junk
      // goes with no other body mutation: the parser may never get to the other fields.
      // An object field replaced by nested objects may be reported by what is wrong inside it.
      out.push(
        setAt('deep-junk', path, DEEP_JUNK, ctx, {
          wholeBody: true,
          names: [{ anyOf: [name, '(body)'], within: true }],
        }),
      );
      const inObject = typeof path.at(-1) === 'string';
      if (inObject && !variant.optional.includes(name)) {
        const names = [{ anyOf: [name, ...(own(variant.missingNames, name) ?? [])] }];
        out.push(
          fc.constant(
            bodyMutation('missing', path, (p) => [{ on: 'body', op: 'delete', path: p }], ctx, { names }),
          ),
        );
      }
    }
    if (typeof value === 'string') {
      const text = { ...node, value };
      out.push(setAt('empty', path, fc.constant(''), ctx));
      out.push(setAt('blank', path, BLANK, ctx));
      out.push(insertInto('control-character', text, CONTROL, ctx));
      out.push(insertInto('lone-surrogate', text, LONE_SURROGATE, ctx));
      const max = own(variant.maxLength, name);
      const lengths =
        max === undefined
          ? fc.integer({ min: 10_000, max: 20_000 })
          : fc.oneof(fc.constant(max + 1), fc.integer({ min: max + 1, max: max + 500 }), fc.constant(10_000));
      out.push(
        setAt(
          'overlong',
          path,
          fc.tuple(lengths, fc.constantFrom('a', 'é', 'Z')).map(([n, c]) => c.repeat(n)),
          ctx,
        ),
      );
    }
    if (typeof value === 'number') {
      out.push(
        setAt('bad-number', path, fc.constantFrom(raw('1e309'), raw('-1e309'), 'NaN', 'Infinity'), ctx),
      );
    }
    // A batch's size has its own rule: copies of its items would soon exceed the body's size.
    if (Array.isArray(value) && value.length > 0 && name !== variant.batchItems) {
      const items = fc.integer({ min: 100, max: 5000 }).map((n) => Array.from({ length: n }, () => value[0]));
      out.push(setAt('huge-array', path, items, ctx, { names: [{ anyOf: [name], within: true }] }));
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const known = new Set([...Object.keys(value), ...(own(variant.knownKeys, name) ?? [])]);
      const keys = UNKNOWN_KEYS.filter((k) => !known.has(k));
      out.push(
        fc.tuple(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 })).map(([key, v]) => {
          const at = [...path, key];
          return bodyMutation(
            'unknown-field',
            at,
            (p) => [{ on: 'body', op: 'set', path: p, value: v }],
            ctx,
            {
              names: named(dotted(at)),
            },
          );
        }),
      );
      out.push(
        fc.tuple(fc.constantFrom(...keys), DEEP_JUNK).map(([key, v]) => {
          const at = [...path, key];
          return bodyMutation('deep-junk', at, (p) => [{ on: 'body', op: 'set', path: p, value: v }], ctx, {
            wholeBody: true,
            names: [{ anyOf: [dotted(at), '(body)'] }],
          });
        }),
      );
      const forbidden = fc.constantFrom<[string, unknown]>(
        ['__proto__', { isAdmin: true }],
        ['constructor', { prototype: { isAdmin: true } }],
      );
      out.push(
        forbidden.map(([key, v]) =>
          bodyMutation(
            'forbidden-key',
            [...path, key],
            (p) => [{ on: 'body', op: 'set', path: p, value: v }],
            ctx,
            {
              wholeBody: true,
              names: named('(body)'),
            },
          ),
        ),
      );
    }
  }
  return out;
}

/** The variant's own rules: those the operation judges beside others, and those that go alone. */
function specificFieldMutations(ctx: BodyContext, alone: boolean): fc.Arbitrary<Mutation>[] {
  return ctx.variant.rules
    .filter((rule) => (rule.alone ?? false) === alone)
    .map((rule) => {
      const path = rule.path.split('.');
      return setAt(rule.family, path, rule.values, ctx, {
        ...(rule.names ? { names: rule.names } : {}),
        ...(rule.dependsOn ? { dependsOn: rule.dependsOn } : {}),
        ...(rule.alone ? { alone: true } : {}),
      });
    });
}

function wholeBodyMutations(ctx: BodyContext): fc.Arbitrary<Mutation>[] {
  const text = serializeBody(ctx.body);
  const replaced = (family: string, texts: fc.Arbitrary<string>): fc.Arbitrary<Mutation> =>
    texts.map((t) => ({
      name: `${family}@body`,
      family,
      scope: 'whole-body',
      touches: ['body'],
      edits: [{ on: 'body-text', text: t }],
      expect: { status: 400, names: named('(body)') },
    }));
  return [
    replaced(
      'not-json',
      fc.oneof(
        fc.constantFrom(
          '{',
          'hello',
          '<signal/>',
          "{'sourceId':'x'}",
          '{"a":1}}',
          'NaN',
          'undefined',
          '{"a":1,}',
          '\ufeff{}',
          '{"a":"x\u0001y"}',
          '{"a":01}',
        ),
        fc.integer({ min: 1, max: text.length - 1 }).map((n) => text.slice(0, n)),
      ),
    ),
    replaced('wrong-top-level-type', fc.constantFrom('[]', '"referral"', '42', 'true', 'null', `[${text}]`)),
  ];
}

function exclusiveBodyMutations(ctx: BodyContext): fc.Arbitrary<Mutation>[] {
  const text = serializeBody(ctx.body);
  const contentType = fc
    .option(
      fc.constantFrom(
        'text/plain',
        'text/plain; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonp',
        'text/json',
        'application/xml',
        'json',
        '',
      ),
      { nil: undefined, freq: 4 },
    )
    .map(
      (value): Mutation => ({
        name: `${value === undefined ? 'no-content-type' : 'wrong-content-type'}@header.content-type`,
        family: value === undefined ? 'no-content-type' : 'wrong-content-type',
        scope: 'exclusive',
        touches: ['header.content-type'],
        edits: [{ on: 'header', name: 'Content-Type', value }],
        expect: { status: 415 },
      }),
    );
  const tooLarge = fc
    .record({
      char: fc.constantFrom('x', 'é', '€'),
      extra: fc.integer({ min: 1, max: 4096 }),
      pad: fc.boolean(),
    })
    .map(({ char, extra, pad }): Mutation => {
      const bytes = Buffer.byteLength(char);
      const edit: Edit = pad
        ? { on: 'body-text', text: `${text}${' '.repeat(ctx.maxBytes + extra)}` }
        : {
            on: 'body',
            op: 'set',
            path: ['padding'],
            value: char.repeat(Math.ceil((ctx.maxBytes + extra) / bytes)),
          };
      return {
        name: `too-large@body`,
        family: 'too-large',
        scope: 'exclusive',
        touches: ['body'],
        edits: [edit],
        expect: { status: 413 },
      };
    });
  return [contentType, tooLarge];
}

// --- path, query, header, caller -----------------------------------------------------------------

function request(family: string, touch: string, name: string, edits: Edit[]): Mutation {
  return {
    name: `${family}@${touch}`,
    family,
    scope: 'request',
    touches: [touch],
    edits,
    expect: { status: 400, names: named(name) },
  };
}

function pathMutations(base: BaseRequest): fc.Arbitrary<Mutation>[] {
  return Object.entries(base.request.path ?? {}).flatMap(([key, id]) => {
    const at = (family: string, values: fc.Arbitrary<string>) =>
      values.map((value) => request(family, `path.${key}`, key, [{ on: 'path', key, value }]));
    const insert = (chars: fc.Arbitrary<string>) =>
      fc
        .tuple(chars, fc.integer({ min: 1, max: id.length - 1 }))
        .map(([c, i]) => id.slice(0, i) + c + id.slice(i));
    return [
      at(
        'not-uuid',
        fc.constantFrom(
          '123',
          'abc',
          'null',
          'undefined',
          `{${key}}`,
          id.replaceAll('-', ''),
          `${id}x`,
          `x${id}`,
          id.replace(/[a-f]/, 'g'),
          ` ${id}`,
          `${id}/withdraw`,
          `../${id}`,
          '',
        ),
      ),
      at(
        'percent-junk',
        fc.constantFrom(
          '%00',
          '%2e%2e%2f',
          '..%2F..%2Fetc%2Fpasswd',
          '%uD800',
          '%',
          '%%',
          '%E2%80%AE',
          `${id}%00`,
        ),
      ),
      at(
        'very-long',
        fc.integer({ min: 37, max: 10_000 }).map((n) => id.repeat(Math.ceil(n / id.length)).slice(0, n)),
      ),
      at('control-character', insert(CONTROL)),
      at('lone-surrogate', insert(LONE_SURROGATE)),
    ];
  });
}

const UNKNOWN_QUERY_KEYS = [
  'debug',
  'offset',
  'page',
  'sort',
  'expand',
  'LIMIT',
  'Cursor',
  'teamId',
  'status',
  'municipality',
  '__proto__',
  'constructor',
  'toString',
];

const BAD_DATE_TIMES = fc.constantFrom(
  'yesterday',
  '2026-13-01T00:00:00Z',
  '2026-11-22',
  '2026-11-22T10:00:00',
  '',
  '1795341600',
  '2026-11-22T25:00:00Z',
);

/** Not a day as YYYY-MM-DD (the lead times' period is in whole days). */
const BAD_QUERY_DATES = fc.constantFrom(
  'yesterday',
  '2026-13-01',
  '2026-02-30',
  '2026-11-22T00:00:00Z',
  '22-11-2026',
  '2026/11/22',
  '20261122',
  '2026-1-5',
  '',
);

/** Values of the declared query parameters that the contract refuses, by parameter name. */
const BAD_QUERY_VALUES: Readonly<Record<string, { family: string; values: fc.Arbitrary<string> }>> = {
  limit: {
    family: 'bad-limit',
    values: fc.constantFrom('0', '101', '2.5', 'ten', '', ' ', '-1', '1e3', 'NaN', 'Infinity', '1,5', '٣'),
  },
  status: {
    family: 'bad-status',
    values: fc.constantFrom('open', 'QUEUED', '', 'queued,delivered', 'withdrawn ', 'all'),
  },
  municipality: {
    family: 'bad-municipality',
    values: fc.constantFrom('9999', '0000', '363', '03630', 'Amsterdam', '', '0363 ', 'GM0363'),
  },
  from: {
    family: 'bad-date-time',
    values: BAD_DATE_TIMES,
  },
  to: {
    family: 'bad-date-time',
    values: BAD_DATE_TIMES,
  },
  overdue: {
    family: 'bad-boolean',
    values: fc.constantFrom('TRUE', 'True', '1', '0', 'yes', '', ' true', 'true ', 'on'),
  },
  groupBy: {
    family: 'bad-group-by',
    values: fc.constantFrom('Team', 'teams', 'pupil', 'week', 'year', '', 'team,month', 'team '),
  },
  sourceId: {
    family: 'bad-source-id',
    values: fc.constantFrom('-lvs-1', '.lvs', 'lvs 123', 'lvs/123', 'lvs#1', 'lvs-ü', '', 'l'.repeat(101)),
  },
  schoolLocation: {
    family: 'bad-school-location',
    values: fc.constantFrom('12ab00', '12AB0', '12AB000', 'ABCD00', '1ABC00', '12AB0O', ''),
  },
};

/** Where an operation means something else by a parameter's name. */
const BAD_QUERY_VALUES_OF: Readonly<
  Record<string, Readonly<Record<string, { family: string; values: fc.Arbitrary<string> }>>>
> = {
  getLeadTimes: {
    from: { family: 'bad-date', values: BAD_QUERY_DATES },
    to: { family: 'bad-date', values: BAD_QUERY_DATES },
  },
};

/**
 * A period the contract refuses, by operation: instants where `to` is not after `from`; whole days
 * where `to` is before `from` or 731 days or more after it (the same day is a period of one day).
 */
const BAD_PERIODS: Readonly<Record<string, fc.Arbitrary<[string, string]>>> = {
  getLeadTimes: fc.constantFrom<[string, string]>(
    ['2026-11-22', '2026-11-21'],
    ['2026-01-01', '2025-12-31'],
    ['2024-01-01', '2026-01-01'],
    ['2026-01-01', '2028-01-02'],
  ),
};
const BAD_INSTANT_PERIODS = fc.constantFrom<[string, string]>(
  ['2026-11-22T10:00:00Z', '2026-11-22T10:00:00Z'],
  ['2026-11-22T10:00:00Z', '2026-11-01T00:00:00Z'],
  ['2026-11-22T10:00:00+01:00', '2026-11-22T09:00:00Z'],
);

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * A page cursor to forge others from: one the hub issued for the operation, and whether it issued
 * it to the request's caller (then the store checks whose query a cursor belongs to). The fake
 * hub's work lists and signal search read one page and issue no cursor: for those only cursors
 * malformed on their face can be judged (the adapter's check of the rest is tested against
 * DynamoDB Local).
 */
export interface CursorSample {
  cursor: string;
  checked: boolean;
}

/**
 * Cursors this API never issued, forged from a real one of the same query: `malformed` ones are
 * not of the form of any cursor and are named with the other bad parameters; `foreign` ones have
 * the form but a key that is not this query's (other key names, another partition), which only the
 * store can tell, and an otherwise invalid request never reaches the store: they go alone.
 */
function malformedCursors(real: string): fc.Arbitrary<[string, string]> {
  const key = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, string>;
  const names = Object.keys(key);
  return fc.oneof(
    fc
      .constantFrom('!!!', '%%%', '***', 'not a cursor', '{"pk":"x"}', '=')
      .map((c): [string, string] => ['not-base64', c]),
    fc.constantFrom('hello', '{"pk":', '\u0000', '').map((t): [string, string] => ['not-json', b64(t)]),
    fc
      .constantFrom('[]', 'null', '"x"', '42', 'true')
      .map((t): [string, string] => ['wrong-json-type', b64(t)]),
    fc
      .tuple(fc.constantFrom(...names), fc.constantFrom<unknown>(42, null, true, { S: 'x' }, ['x']))
      .map(([n, v]): [string, string] => ['non-string-value', b64(JSON.stringify({ ...key, [n]: v }))]),
    fc
      .tuple(fc.constantFrom(...names), fc.integer({ min: 1025, max: 1400 }))
      .map(([n, len]): [string, string] => [
        'key-too-long',
        b64(JSON.stringify({ ...key, [n]: 'k'.repeat(len) })),
      ]),
    fc
      .integer({ min: 2049, max: 8000 })
      .map((len): [string, string] => [
        'too-long',
        b64(JSON.stringify({ ...key, pad: 'p'.repeat(len) })).slice(0, len),
      ]),
  );
}

function foreignCursors(real: string): fc.Arbitrary<[string, string]> {
  const key = JSON.parse(Buffer.from(real, 'base64url').toString('utf8')) as Record<string, string>;
  const names = Object.keys(key);
  const a = TENANTS.a;
  const b = OTHER.a;
  const swaps: [string, string][] = [
    [a.teamId, b.teamId],
    [a.municipality, b.municipality],
    [a.schoolLocation, b.schoolLocation],
    ...a.referralIds.map((id, i): [string, string] => [id, b.referralIds[i] as string]),
    ...a.signalIds.map((id, i): [string, string] => [id, b.signalIds[i] as string]),
    [a.unroutableSignalId, b.unroutableSignalId],
    [a.consultationId, b.consultationId],
    [a.consultationReferralId, b.consultationReferralId],
  ];
  const otherPartition = Object.fromEntries(
    Object.entries(key).map(([k, v]) => [k, swaps.reduce((s, [from, to]) => s.replaceAll(from, to), v)]),
  );
  if (JSON.stringify(otherPartition) === JSON.stringify(key)) {
    throw new Error(`cursor ${real} names no tenant: cannot forge one of another partition`);
  }
  const without = (name: string) => Object.fromEntries(Object.entries(key).filter(([k]) => k !== name));
  return fc.oneof(
    fc.constantFrom(...names).map((n): [string, string] => ['missing-key', b64(JSON.stringify(without(n)))]),
    fc
      .constantFrom('ExclusiveStartKey', 'limit', 'pk2', 'teamId')
      .map((n): [string, string] => ['extra-key', b64(JSON.stringify({ ...key, [n]: 'x' }))]),
    fc.constant<[string, string]>(['other-partition', b64(JSON.stringify(otherPartition))]),
  );
}

function forgedCursorMutations(cursors: fc.Arbitrary<[string, string]>): fc.Arbitrary<Mutation> {
  return cursors.map(([kind, value]) =>
    request(`forged-cursor:${kind}`, 'query.cursor', 'cursor', [{ on: 'query', key: 'cursor', value }]),
  );
}

function queryMutations(op: RegisteredOperation, cursor: CursorSample | undefined): fc.Arbitrary<Mutation>[] {
  const shape = queryShapeOf(op);
  const out: fc.Arbitrary<Mutation>[] = [];
  const unknown = UNKNOWN_QUERY_KEYS.filter((k) => !(k in shape));
  out.push(
    fc
      .tuple(fc.constantFrom(...unknown), fc.constantFrom('1', '', 'true', 'x'))
      .map(([key, value]) =>
        request('unknown-query-key', `query.${key}`, key, [{ on: 'query', key, value }]),
      ),
  );
  for (const [key, { required }] of Object.entries(shape)) {
    if (key === 'cursor') {
      if (!cursor) throw new Error(`no real cursor of ${op.operationId} to forge from`);
      out.push(forgedCursorMutations(malformedCursors(cursor.cursor)));
      continue;
    }
    const bad = own(BAD_QUERY_VALUES_OF[op.operationId], key) ?? own(BAD_QUERY_VALUES, key);
    if (!bad) throw new Error(`test/hostile/mutations.ts knows no bad value of query parameter ${key}`);
    out.push(
      bad.values.map((value) => request(bad.family, `query.${key}`, key, [{ on: 'query', key, value }])),
    );
    if (required) {
      out.push(
        fc.constant(request('missing', `query.${key}`, key, [{ on: 'query', key, value: undefined }])),
      );
    }
  }
  if ('from' in shape && 'to' in shape) {
    out.push(
      (own(BAD_PERIODS, op.operationId) ?? BAD_INSTANT_PERIODS).map(([from, to]) => ({
        ...request('from-not-before-to', 'query.to', 'to', [
          { on: 'query', key: 'from', value: from },
          { on: 'query', key: 'to', value: to },
        ]),
        touches: ['query.from', 'query.to'],
        expect: { status: 400, names: [{ anyOf: ['to', 'from'] }] },
      })),
    );
  }
  return out;
}

/**
 * What the caller's role may not do with the query (requests.ts, ROLE_QUERY): send a parameter
 * that is not for it, leave out one it must send, give a value not for it. Each is a 400 naming
 * the parameter, judged beside every other part of the request (the operation's queryRules).
 */
function roleQueryMutations(op: RegisteredOperation, base: BaseRequest): fc.Arbitrary<Mutation>[] {
  const { requires, refuses, refusedValues } = roleQueryOf(op.operationId, base.request.client?.role);
  const alone = (family: string, key: string, value: string | undefined): Mutation =>
    request(family, `query.${key}`, key, [{ on: 'query', key, value }]);
  return [
    ...refuses.map((key) => {
      const value = validQueryValue(op.operationId, key, TENANTS.a);
      if (value === undefined)
        throw new Error(`test/hostile/requests.ts knows no valid value of query ${key}`);
      return fc.constant(alone('not-for-role', key, value));
    }),
    ...requires.map((key) => fc.constant(alone('missing-for-role', key, undefined))),
    ...Object.entries(refusedValues).map(([key, values]) =>
      fc.constantFrom(...values).map((value) => alone('value-not-for-role', key, value)),
    ),
  ];
}

const USER_EMAIL = fc
  .tuple(
    fc.stringMatching(/^[a-z]{1,12}(\.[a-z]{1,12})?$/),
    fc.stringMatching(/^[a-z]{2,12}$/),
    fc.constantFrom('nl', 'com', 'example'),
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

function headerMutations(op: RegisteredOperation): fc.Arbitrary<Mutation>[] {
  if (op.spec.roles === 'public') return [];
  const header = (family: string, values: fc.Arbitrary<string>) =>
    fc
      .tuple(values, fc.constantFrom('Schakel-User', 'schakel-user', 'SCHAKEL-USER'))
      .map(([value, name]) =>
        request(family, 'header.schakel-user', 'Schakel-User', [{ on: 'header', name, value }]),
      );
  return [
    header('user-with-spaces', fc.constantFrom('ib de vries', 'mw 042', 'a b')),
    header(
      'user-too-long',
      fc.integer({ min: 101, max: 400 }).map((n) => 'u'.repeat(n)),
    ),
    header(
      'user-control-character',
      CONTROL.map((c) => `ib${c}devries`),
    ),
    header('user-bsn', fc.oneof(fc.constant('999900018'), validBsn)),
    header('user-email', fc.oneof(fc.constant('j.devries@school.example'), USER_EMAIL)),
    header('user-empty', fc.constant('')),
    header('user-non-ascii', fc.constantFrom('jan✓', 'jósé', 'ib\ud800')),
  ];
}

function roleMutation(op: RegisteredOperation): fc.Arbitrary<Mutation> | undefined {
  const { roles } = op.spec;
  if (roles === 'public') return undefined;
  const others = CLIENT_ROLES.filter((r) => !roles.includes(r));
  if (others.length === 0) return undefined;
  return fc.constantFrom(...others).map((role) => ({
    name: `role-not-allowed@client.${role}`,
    family: 'role-not-allowed',
    scope: 'role',
    touches: ['client'],
    edits: [{ on: 'client', role }],
    expect: { status: 403 },
  }));
}

export interface MutationCatalogue {
  /** May be applied together (checked with `compatible`). */
  combinable: fc.Arbitrary<Mutation>[];
  /** Only alone. */
  exclusive: fc.Arbitrary<Mutation>[];
  role: fc.Arbitrary<Mutation> | undefined;
}

/** Every mutation that applies to this operation's request, grouped by where it goes. */
export function mutationsFor(
  op: RegisteredOperation,
  base: BaseRequest,
  cursor: CursorSample | undefined,
): MutationCatalogue {
  const bodyCtx =
    base.variant && base.request.body.kind === 'json'
      ? {
          variant: base.variant,
          body: base.request.body.value as Record<string, unknown>,
          maxBytes: op.spec.maxBodyBytes ?? MAX_BODY_BYTES,
        }
      : undefined;
  const groups = [
    pathMutations(base),
    queryMutations(op, cursor),
    roleQueryMutations(op, base),
    headerMutations(op),
    ...(bodyCtx
      ? [genericFieldMutations(bodyCtx), specificFieldMutations(bodyCtx, false), wholeBodyMutations(bodyCtx)]
      : []),
  ].filter((g) => g.length > 0);
  return {
    // Each group equally likely, whatever its size: the body has many more fields than headers.
    combinable: groups.map((g) => fc.oneof(...g)),
    exclusive: [
      ...(bodyCtx ? [...exclusiveBodyMutations(bodyCtx), ...specificFieldMutations(bodyCtx, true)] : []),
      ...(cursor?.checked ? [forgedCursorMutations(foreignCursors(cursor.cursor))] : []),
    ],
    role: roleMutation(op),
  };
}
