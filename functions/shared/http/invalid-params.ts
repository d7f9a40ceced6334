import type { z } from 'zod';
import type { InvalidParam } from '../../../schemas/problem.js';

/** The value at `path` in `input`, or undefined where the path leads nowhere. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * zod issues → the NL API Design Rules' invalidParams, one entry per bad field (dotted paths).
 * zod 4 leaves the offending value out of its issues (good: no pupil data travels with errors),
 * so "missing" is told from "wrong" by looking the path up in `input`, the value parsed.
 */
export function toInvalidParams(
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
  input?: unknown,
): InvalidParam[] {
  const params: InvalidParam[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        params.push({ name: [...path, key].join('.'), reason: 'is not a known field' });
      continue;
    }
    const name = path.join('.') || '(body)';
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
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

/** Parses; on failure returns the invalidParams for a ValidationError. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  input: unknown,
  prefix: readonly (string | number)[] = [],
): { ok: true; value: z.infer<T> } | { ok: false; invalidParams: InvalidParam[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, invalidParams: toInvalidParams(result.error, prefix, input) };
}
