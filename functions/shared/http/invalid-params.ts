import type { z } from 'zod';
import type { InvalidParam } from '../../../schemas/problem.js';

/** zod issues → the NL API Design Rules' invalidParams, one entry per bad field (dotted paths). */
export function toInvalidParams(
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
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
    const reason = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    params.push({ name, reason });
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

/** Parses or throws ValidationError-ready params. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  input: unknown,
  prefix: readonly (string | number)[] = [],
): { ok: true; value: z.infer<T> } | { ok: false; invalidParams: InvalidParam[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, invalidParams: toInvalidParams(result.error, prefix) };
}
