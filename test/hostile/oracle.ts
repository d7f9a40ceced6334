import { ProblemSchema } from '../../schemas/problem.js';
import type { Expectation, Mutation } from './mutations.js';
import type { Answer } from './requests.js';
import type { NameRule } from './valid-bodies.js';
import type { Effects } from './world.js';

// What the v1 contract promises for a request that is invalid by construction: a 4xx problem
// (RFC 9457) whose status is the one the mutation calls for; for a 400, `invalidParams` naming
// every mutated field at once, each reason a sentence; and nothing stored or sent anywhere.

export type ViolationKind =
  | 'server-error'
  | 'stored'
  | 'unexpected-status'
  | 'not-problem-json'
  | 'no-api-version'
  | 'problem-schema'
  | 'problem-status'
  | 'no-invalid-params'
  | 'raw-reason'
  | 'missing-name';

/** In the order a report leads with them: the first a case has is its primary one. */
export const VIOLATION_ORDER: readonly ViolationKind[] = [
  'server-error',
  'stored',
  'unexpected-status',
  'not-problem-json',
  'problem-schema',
  'problem-status',
  'no-invalid-params',
  'missing-name',
  'raw-reason',
  'no-api-version',
];

export interface Violation {
  kind: ViolationKind;
  detail: string;
  /** The mutations it is about (for a missing name: those whose field was not named). */
  culprits: readonly string[];
}

/**
 * zod's own wording ("Invalid input: expected string, received number", "Too big: …"). Not the
 * word `received` alone: a signal's status is called that ("must be one of received, routed, …").
 */
export const RAW_REASON = /Invalid input|Too (big|small)|expected|, received \w|^Invalid\b|^Unrecognized/;

/** What the mutations together call for: a role refused wins, then 413/415, else a 400 naming all. */
export function expectationOf(mutations: readonly Mutation[]): Expectation {
  const role = mutations.find((m) => m.expect.status === 403);
  if (role) return role.expect;
  const exclusive = mutations.find((m) => m.expect.status !== 400);
  if (exclusive) return exclusive.expect;
  return { status: 400, names: mutations.flatMap((m) => (m.expect.status === 400 ? m.expect.names : [])) };
}

export function satisfies(rule: NameRule, names: readonly string[]): boolean {
  return names.some(
    (n) => rule.anyOf.includes(n) || (rule.within === true && rule.anyOf.some((a) => n.startsWith(`${a}.`))),
  );
}

function storedSomething(before: Effects, after: Effects): string | undefined {
  const grown = Object.entries(after).filter(([k, v]) => v !== before[k as keyof Effects]);
  return grown.length
    ? grown.map(([k, v]) => `${k} ${before[k as keyof Effects]}→${v}`).join(', ')
    : undefined;
}

export function judge(
  mutations: readonly Mutation[],
  answer: Answer,
  before: Effects,
  after: Effects,
): Violation[] {
  const all = mutations.map((m) => m.name);
  const expected = expectationOf(mutations);
  const out: Violation[] = [];
  const add = (kind: ViolationKind, detail: string, culprits: readonly string[] = all) =>
    out.push({ kind, detail, culprits });

  if (answer.threw) add('server-error', `the handler threw: ${answer.threw}`);
  else if (answer.status >= 500) add('server-error', `answered ${answer.status}`);
  const stored = storedSomething(before, after);
  if (stored) add('stored', stored);
  if (answer.status !== expected.status && !answer.threw) {
    add('unexpected-status', `expected ${expected.status}, answered ${answer.status}`);
  }
  if (answer.status < 400 || answer.threw) return out;

  if (answer.headers['content-type'] !== 'application/problem+json') {
    add('not-problem-json', `content-type ${answer.headers['content-type'] ?? '(none)'}`);
  }
  if (!answer.headers['api-version']) add('no-api-version', 'no API-Version header');
  const parsed = ProblemSchema.safeParse(answer.json);
  if (!parsed.success) {
    add('problem-schema', `body is not a Problem: ${answer.text.slice(0, 200)}`);
    return out;
  }
  const problem = parsed.data;
  if (problem.status !== answer.status)
    add('problem-status', `problem.status ${problem.status} ≠ ${answer.status}`);
  if (answer.status !== 400 || expected.status !== 400) return out;

  const params = problem.invalidParams ?? [];
  if (params.length === 0) add('no-invalid-params', 'a 400 without invalidParams');
  for (const p of params) {
    if (!p.name.trim() || !p.reason.trim() || RAW_REASON.test(p.reason)) {
      add('raw-reason', `${p.name || '(no name)'}: "${p.reason}"`);
    }
  }
  const names = params.map((p) => p.name);
  const unnamed = mutations.filter(
    (m) => m.expect.status === 400 && m.expect.names.some((rule) => !satisfies(rule, names)),
  );
  if (unnamed.length) {
    const wanted = unnamed.flatMap((m) =>
      m.expect.status === 400 ? m.expect.names.map((r) => r.anyOf.join('|')) : [],
    );
    add(
      'missing-name',
      `invalidParams [${names.join(', ')}] lacks ${wanted.join(', ')}`,
      unnamed.map((m) => m.name),
    );
  }
  return out;
}

export function primaryViolation(violations: readonly Violation[]): Violation | undefined {
  return [...violations].sort((a, b) => VIOLATION_ORDER.indexOf(a.kind) - VIOLATION_ORDER.indexOf(b.kind))[0];
}
