import { safeParse } from 'zod/mini';
import type * as core from 'zod/v4/core';
import type { InvalidParam } from '../../../schemas/problem.js';

// zod issues → the NL API Design Rules' invalidParams: one entry per bad field (dotted paths),
// each with a reason an integrator reads as a sentence about that field ("must be at most 2000
// characters", "is required"), never zod's own wording. Schemas that say something more precise
// (a BSN's 11-proof, a school location's form) keep their own reason.

const ARTICLE: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  date: 'a date',
};

const FORMATS: Record<string, string> = {
  email: 'must be an e-mail address',
  uuid: 'must be a UUID',
  url: 'must be a URL',
  date: 'must be a date as YYYY-MM-DD',
  datetime: 'must be an RFC 3339 date-time with offset',
  regex: 'does not have the expected form',
};

function quantity(count: number | bigint, unit: string): string {
  return `${count} ${unit}${Number(count) === 1 ? '' : 's'}`;
}

/** A zod error map (per parse): every issue zod itself would word gets a sentence instead. */
export const readableReason = (issue: core.$ZodRawIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${ARTICLE[issue.expected] ?? issue.expected}`;
    case 'too_big': {
      const bound = issue.inclusive === false ? 'less than' : 'at most';
      if (issue.origin === 'string') return `must be ${bound} ${quantity(issue.maximum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `must have ${bound} ${quantity(issue.maximum, 'item')}`;
      return `must be ${bound} ${issue.maximum}`;
    }
    case 'too_small': {
      const bound = issue.inclusive === false ? 'more than' : 'at least';
      if (issue.origin === 'string') {
        return Number(issue.minimum) === 1 && issue.inclusive !== false
          ? 'must not be empty'
          : `must be ${bound} ${quantity(issue.minimum, 'character')}`;
      }
      if (issue.origin === 'array' || issue.origin === 'set')
        return `must have ${bound} ${quantity(issue.minimum, 'item')}`;
      return `must be ${bound} ${issue.minimum}`;
    }
    case 'invalid_format':
      return FORMATS[issue.format] ?? `must be a valid ${issue.format}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map(String).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
      return 'does not match any of the allowed forms';
    default:
      return 'is not valid';
  }
};

/** The value at `path` in `input`, or undefined where the path leads nowhere. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Issues that, on a field that is absent, mean it is required. */
const MISSABLE = new Set<string>(['invalid_type', 'invalid_value', 'invalid_union']);

/**
 * zod leaves the offending value out of its final issues (good: no pupil data travels with
 * errors), so "missing" is told from "wrong" by looking the path up in `input`, the value parsed:
 * a schema's own error message must not turn a missing field into "must be …".
 */
export function toInvalidParams(
  error: core.$ZodError,
  prefix: readonly (string | number)[] = [],
  input?: unknown,
  unknownKey = 'is not a known field',
): InvalidParam[] {
  const params: InvalidParam[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) params.push({ name: [...path, key].join('.'), reason: unknownKey });
      continue;
    }
    const name = path.join('.') || '(body)';
    // A schema's own message (an enum's "must be one of …") is for a wrong value, not a missing one.
    const missing = MISSABLE.has(issue.code) && valueAt(input, issue.path) === undefined;
    params.push({ name, reason: missing ? 'is required' : issue.message });
  }
  return dedupe(params);
}

/** One entry per field: the first reason is the most basic one (format before list membership). */
function dedupe(params: InvalidParam[]): InvalidParam[] {
  const seen = new Set<string>();
  return params.filter((p) => {
    if (seen.has(p.name)) return false;
    seen.add(p.name);
    return true;
  });
}

/** Parses with readable reasons; on failure returns the invalidParams for a ValidationError. */
export function parseWith<T extends core.$ZodType>(
  schema: T,
  input: unknown,
  options: { prefix?: readonly (string | number)[]; unknownKey?: string } = {},
): { ok: true; value: core.output<T> } | { ok: false; invalidParams: InvalidParam[] } {
  const result = safeParse(schema, input, { error: readableReason });
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    invalidParams: toInvalidParams(result.error, options.prefix, input, options.unknownKey),
  };
}
