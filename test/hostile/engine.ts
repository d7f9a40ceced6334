import fc from 'fast-check';
import type { ClientRole } from '../../domain/vocabulary.js';
import { OPERATIONS, type RegisteredOperation } from '../../functions/registry.js';
import {
  type CursorSample,
  compatible,
  deeplyNestedField,
  type Mutation,
  mutationsFor,
} from './mutations.js';
import { expectationOf, judge, primaryViolation, type Violation } from './oracle.js';
import {
  type Answer,
  applyMutations,
  baseRequest,
  baseRequestArb,
  bodyText,
  type HostileRequest,
  queryShapeOf,
  send,
} from './requests.js';
import { effectsOf, seededHub, TENANTS } from './world.js';

// The fuzz: for every declared operation, valid requests of tenant A broken by one to three
// mutations, each sent to a freshly seeded hub and judged by the oracle. It first runs every case
// without stopping, then takes the first case of each distinct failure (operation, kind,
// mutations), replays it by seed and path and lets fast-check shrink it to a minimal reproduction.

export interface FuzzCase {
  operationId: string;
  variant: string | undefined;
  base: HostileRequest;
  mutations: readonly Mutation[];
  base64: boolean;
}

export interface CaseOutcome {
  request: HostileRequest;
  answer: Answer;
  violations: Violation[];
  stored: boolean;
}

export interface FuzzFailure {
  /** operation · kind · mutation families: one failure per distinct cause. */
  key: string;
  operationId: string;
  kind: Violation['kind'];
  /** Every culprit mutation (`family@target`) seen failing this way. */
  culprits: readonly string[];
  /** Cases of the run that failed this way. */
  occurrences: number;
  seed: number;
  /** fast-check's path of the (shrunk) reproduction, for `--only <op> --replay <path>`. */
  path: string;
  shrunk: boolean;
  case: FuzzCase;
  outcome: CaseOutcome;
}

/** What each case was and got: enough to tabulate a run without keeping its bodies. */
export interface CaseRecord {
  operationId: string;
  mutations: readonly string[];
  status: number | 'threw';
  /** The problem body of a 4xx/5xx answer. */
  problem: unknown;
  violations: readonly Violation['kind'][];
}

export interface FuzzReport {
  seed: number;
  cases: number;
  records: CaseRecord[];
  byStatus: Record<string, number>;
  serverErrors: number;
  /** Cases after which something was stored or sent. */
  stored: number;
  /** Of those, the ones answered with a 4xx all the same. */
  storedWhileRejected: number;
  failingCases: number;
  failures: FuzzFailure[];
  byOperation: Record<string, number>;
  byFamily: Record<string, number>;
  /** Cases by how many mutations they carried (2 and 3: every bad field named at once). */
  byMutationCount: Record<string, number>;
  durationMs: number;
}

export interface FuzzOptions {
  /** Cases in all, spread evenly over the operations. */
  runs: number;
  seed: number;
  /** Only these operations (default: all of OPERATIONS). */
  operations?: readonly string[];
  /** Replay this fast-check path (of the only operation) instead of exploring. */
  replay?: string;
  /** Failures to shrink; the others are reported as first found. */
  maxShrinks?: number;
  onProgress?: (done: number, total: number) => void;
}

/** A page cursor to forge others from, for each role that may call the operation. */
type CursorSamples = (role: ClientRole | undefined) => CursorSample | undefined;

/**
 * Lists the fake hub reads as one page without a cursor (its work lists and signal search, see
 * test/helpers/fakes.ts), by the roles that read them.
 */
const ONE_PAGE: Readonly<Record<string, readonly ClientRole[]>> = {
  listSignals: ['school', 'municipality', 'admin'],
  listReferrals: ['municipality'],
};

/**
 * Page cursors the hub really issued for the operation, by the caller's role. A role it issued
 * none to (an admin has no export jobs of its own) forges from another role's: to it that one is
 * foreign too. A role reading a list of one page forges only malformed cursors (from another
 * role's, or one of the form every cursor has).
 */
async function realCursors(op: RegisteredOperation): Promise<CursorSamples> {
  if (!('cursor' in queryShapeOf(op))) return () => undefined;
  const roles = op.spec.roles === 'public' ? [undefined] : op.spec.roles;
  const onePage = (role: ClientRole | undefined) =>
    role !== undefined && ONE_PAGE[op.operationId]?.includes(role);
  const issued = new Map<ClientRole | undefined, string>();
  for (const role of roles) {
    const hub = await seededHub();
    const { request } = baseRequest(op, TENANTS.a, { role });
    const answer = await send(hub, { ...request, query: { ...request.query, limit: '1' } });
    const next = (answer.json as { next?: unknown } | undefined)?.next;
    if (typeof next === 'string') issued.set(role, next);
  }
  const [any] = issued.values();
  if (any === undefined && !roles.every(onePage)) {
    throw new Error(`${op.operationId} issued no cursor over the seeded data`);
  }
  const shaped = Buffer.from(
    JSON.stringify({ pk: `SIGNAL#${TENANTS.a.signalIds[0]}`, sk: 'SIGNAL' }),
    'utf8',
  ).toString('base64url');
  return (role) => ({ cursor: issued.get(role) ?? any ?? shaped, checked: !onePage(role) });
}

function caseArbitrary(op: RegisteredOperation, cursors: CursorSamples): fc.Arbitrary<FuzzCase> {
  return baseRequestArb(op, TENANTS.a).chain((base) => {
    const catalogue = mutationsFor(op, base, cursors(base.request.client?.role));
    const one = fc.oneof(...catalogue.combinable, ...catalogue.exclusive).map((m) => [m]);
    // Two or three at once: every bad field must be named in the same answer.
    const several = fc
      .uniqueArray(fc.oneof(...catalogue.combinable), { minLength: 2, maxLength: 3, selector: (m) => m.name })
      .filter(compatible);
    const mutations = fc.oneof({ weight: 3, arbitrary: one }, { weight: 2, arbitrary: several });
    // Now and then the caller's role is one the operation refuses: that 403 comes before all else.
    const withRole = catalogue.role
      ? fc
          .tuple(
            mutations,
            fc.oneof(
              { weight: 9, arbitrary: fc.constant(undefined) },
              { weight: 1, arbitrary: catalogue.role },
            ),
          )
          .map(([ms, role]) => (role ? [...ms, role] : ms))
      : mutations;
    const base64 =
      base.request.body.kind === 'none' ? fc.constant(false) : fc.constantFrom(false, false, false, true);
    return fc.record({ mutations: withRole, base64 }).map(
      ({ mutations: ms, base64: b64 }): FuzzCase => ({
        operationId: op.operationId,
        variant: base.variant?.name,
        base: base.request,
        mutations: ms,
        base64: b64,
      }),
    );
  });
}

export async function evaluate(c: FuzzCase): Promise<CaseOutcome> {
  const hub = await seededHub();
  const request = applyMutations(c.base, c.mutations, { base64: c.base64 });
  const before = effectsOf(hub);
  const answer = await send(hub, request);
  const after = effectsOf(hub);
  const violations = judge(c.mutations, answer, before, after);
  return { request, answer, violations, stored: JSON.stringify(before) !== JSON.stringify(after) };
}

/** `forged-cursor:missing-key@query.cursor` → `forged-cursor`. */
const families = (culprits: readonly string[]) =>
  [...new Set(culprits.map((c) => (c.split('@')[0] ?? c).split(':')[0]))].sort();

const answeredNames = (o: CaseOutcome) =>
  ((o.answer.json as { invalidParams?: { name?: unknown }[] } | undefined)?.invalidParams ?? []).map(
    (p) => p.name,
  );

/**
 * The cause of a failure: the same kind for the same families of mutation, whatever the field.
 * Fields left unnamed because the body was refused as a whole are one cause, whichever they are.
 */
function keyOf(c: FuzzCase, v: Violation, o: CaseOutcome): string {
  const names = answeredNames(o);
  if (v.kind === 'missing-name' && names.length > 0 && names.every((n) => n === '(body)')) {
    return `${c.operationId} · missing-name · behind a body refused as a whole`;
  }
  return `${c.operationId} · ${v.kind} · ${families(v.culprits).join(' + ')}`;
}

const primaryKey = (c: FuzzCase, o: CaseOutcome) => {
  const v = primaryViolation(o.violations);
  return v ? keyOf(c, v, o) : undefined;
};

function split(runs: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(runs / parts) + (i < runs % parts ? 1 : 0));
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const ops = OPERATIONS.filter((o) => !options.operations || options.operations.includes(o.operationId));
  if (ops.length === 0) throw new Error(`no operation among ${options.operations?.join(', ')}`);
  const runsOf = split(options.runs, ops.length);
  const report: FuzzReport = {
    seed: options.seed,
    cases: 0,
    records: [],
    byStatus: {},
    serverErrors: 0,
    stored: 0,
    storedWhileRejected: 0,
    failingCases: 0,
    failures: [],
    byOperation: {},
    byFamily: {},
    byMutationCount: {},
    durationMs: 0,
  };
  const firsts = new Map<
    string,
    {
      op: RegisteredOperation;
      runs: number;
      index: number;
      c: FuzzCase;
      o: CaseOutcome;
      count: number;
      seen: Set<string>;
    }
  >();

  for (const [i, op] of ops.entries()) {
    const runs = runsOf[i] ?? 0;
    if (runs === 0) continue;
    const arbitrary = caseArbitrary(op, await realCursors(op));
    let index = 0;
    const property = fc.asyncProperty(arbitrary, async (c) => {
      const o = await evaluate(c);
      const at = index++;
      report.cases++;
      report.byOperation[c.operationId] = (report.byOperation[c.operationId] ?? 0) + 1;
      for (const m of c.mutations) report.byFamily[m.family] = (report.byFamily[m.family] ?? 0) + 1;
      const n = String(c.mutations.length);
      report.byMutationCount[n] = (report.byMutationCount[n] ?? 0) + 1;
      const status = o.answer.threw ? 'threw' : String(o.answer.status);
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      report.records.push({
        operationId: c.operationId,
        mutations: c.mutations.map((m) => m.name),
        status: o.answer.threw ? 'threw' : o.answer.status,
        problem: o.answer.status >= 400 ? o.answer.json : undefined,
        violations: o.violations.map((v) => v.kind),
      });
      if (o.answer.threw || o.answer.status >= 500) report.serverErrors++;
      if (o.stored) report.stored++;
      if (o.stored && o.answer.status >= 400 && o.answer.status < 500) report.storedWhileRejected++;
      const primary = primaryViolation(o.violations);
      const key = primary && keyOf(c, primary, o);
      if (primary && key) {
        report.failingCases++;
        const first = firsts.get(key);
        if (first) {
          first.count++;
          for (const culprit of primary.culprits) first.seen.add(culprit);
        } else firsts.set(key, { op, runs, index: at, c, o, count: 1, seen: new Set(primary.culprits) });
      }
      options.onProgress?.(report.cases, options.runs);
      // Exploring: every case runs; failures are collected, then replayed one by one to shrink.
      return options.replay === undefined || key === undefined;
    });
    const result = await fc.check(property, {
      seed: options.seed,
      numRuns: runs,
      ...(options.replay !== undefined ? { path: options.replay, endOnFailure: true } : {}),
    });
    if (options.replay !== undefined && result.failed && result.counterexample) {
      const [c] = result.counterexample;
      const o = await evaluate(c);
      const v = primaryViolation(o.violations);
      if (v) firsts.set(keyOf(c, v, o), { op, runs, index: 0, c, o, count: 1, seen: new Set(v.culprits) });
    }
  }

  let shrinks = 0;
  for (const [key, first] of firsts) {
    const v = primaryViolation(first.o.violations) as Violation;
    let failure: FuzzFailure = {
      key,
      operationId: first.op.operationId,
      kind: v.kind,
      culprits: [...first.seen].sort(),
      occurrences: first.count,
      seed: options.seed,
      path: options.replay ?? String(first.index),
      shrunk: false,
      case: first.c,
      outcome: first.o,
    };
    if (options.replay === undefined && shrinks < (options.maxShrinks ?? 100)) {
      shrinks++;
      const arbitrary = caseArbitrary(first.op, await realCursors(first.op));
      const sameCause = fc.asyncProperty(arbitrary, async (c) => primaryKey(c, await evaluate(c)) !== key);
      const result = await fc.check(sameCause, {
        seed: options.seed,
        numRuns: first.runs,
        path: String(first.index),
      });
      if (result.failed && result.counterexample && result.counterexamplePath) {
        const [c] = result.counterexample;
        failure = {
          ...failure,
          path: result.counterexamplePath,
          shrunk: true,
          case: c,
          outcome: await evaluate(c),
        };
      }
    }
    report.failures.push(failure);
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

export interface SweepFailure {
  operationId: string;
  depth: number;
  status: number;
  violations: Violation[];
}

/** 2,200 first, then outwards in steps of 25 to 1,700 and 2,700: where a cold process breaks. */
export const SWEEP_DEPTHS: readonly number[] = [
  2200,
  ...Array.from({ length: 20 }, (_, i) => [2200 - (i + 1) * 25, 2200 + (i + 1) * 25]).flat(),
];

/**
 * Bodies of valid JSON nested `depths` objects deep, for every operation with a body. A 500
 * comes where a recursive walk of the parsed body runs out of stack before JSON.parse does; how
 * wide that band is depends on the frames the JIT has made by then (widest in a cold process, as
 * on a Lambda cold start), so random depths in a warm process find it only by luck. Run this
 * first, and from the middle of the band outwards.
 */
export async function depthSweep(depths: readonly number[] = SWEEP_DEPTHS): Promise<SweepFailure[]> {
  const failures: SweepFailure[] = [];
  for (const op of OPERATIONS.filter((o) => o.spec.body)) {
    for (const depth of depths) {
      const hub = await seededHub();
      const mutation = deeplyNestedField('remarks', depth);
      const request = applyMutations(baseRequest(op, TENANTS.a).request, [mutation]);
      const before = effectsOf(hub);
      const answer = await send(hub, request);
      const violations = judge([mutation], answer, before, effectsOf(hub));
      if (violations.length)
        failures.push({ operationId: op.operationId, depth, status: answer.status, violations });
    }
  }
  return failures;
}

export function formatSweepFailures(failures: readonly SweepFailure[]): string {
  if (failures.length === 0) return 'depth sweep: every depth answered as promised';
  const byOperation = Map.groupBy(failures, (f) => f.operationId);
  return [
    `depth sweep: ${failures.length} depth${failures.length === 1 ? '' : 's'} broke the contract`,
    ...[...byOperation].map(
      ([op, fs]) =>
        `✗ ${op} · ${fs[0]?.violations[0]?.kind}: body {"remarks": {"a": {"a": … 1}}} nested ${fs.map((f) => `${f.depth}→${f.status}`).join(', ')}\n  ${fs[0]?.violations.map((v) => v.detail).join('; ')}`,
    ),
  ].join('\n');
}

// --- printing --------------------------------------------------------------------------------------

/** JSON-ish, with long runs of one character folded and the whole cut at `max`. */
export function preview(text: string, max = 500): string {
  const folded = text.replace(/(.)\1{15,}/gsu, (run, c: string) => `${c}…×${[...run].length}`);
  return folded.length > max ? `${folded.slice(0, max)}… (${text.length} chars)` : folded;
}

function expectationText(mutations: readonly Mutation[]): string {
  const e = expectationOf(mutations);
  return e.status === 400
    ? `400 naming ${e.names.map((r) => r.anyOf.join('|') + (r.within ? '(.*)' : '')).join(', ')}`
    : String(e.status);
}

export function formatFailure(f: FuzzFailure): string {
  const { request: r, answer, violations } = f.outcome;
  const op = OPERATIONS.find((o) => o.operationId === f.operationId);
  const body = bodyText(r);
  const lines = [
    `✗ ${f.key}   (${f.occurrences} case${f.occurrences === 1 ? '' : 's'}${f.shrunk ? ', shrunk' : ''})`,
    `  seen with: ${preview(f.culprits.join(', '), 800)}`,
    `  mutations: ${f.case.mutations.map((m) => m.name).join(', ')}`,
    `  request:   ${op?.spec.method} ${op?.spec.path} as ${r.client ? `${r.client.role} ${r.client.clientId}` : 'anyone'}${f.case.variant ? `, ${f.case.variant}` : ''}${r.base64 ? ', body base64-encoded' : ''}`,
    ...(r.path ? [`             path ${preview(JSON.stringify(r.path), 200)}`] : []),
    ...(r.query ? [`             query ${preview(JSON.stringify(r.query), 300)}`] : []),
    `             headers ${preview(JSON.stringify(r.headers), 300)}`,
    ...(body !== null ? [`             body ${preview(JSON.stringify(body), 600)}`] : []),
    `  expected:  ${expectationText(f.case.mutations)}`,
    `  answered:  ${answer.threw ? `threw ${answer.threw}` : `${answer.status} ${preview(answer.text, 600)}`}`,
    ...violations.map((v) => `  violation: ${v.kind}: ${v.detail}`),
    `  replay:    npx tsx scripts/fuzz.ts --seed ${f.seed} --only ${f.operationId} --replay ${f.path}`,
  ];
  return lines.join('\n');
}

export function formatReport(report: FuzzReport): string {
  const histogram = Object.entries(report.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  return [
    `seed ${report.seed}: ${report.cases} cases in ${(report.durationMs / 1000).toFixed(1)} s`,
    `statuses: ${histogram}`,
    `5xx: ${report.serverErrors}`,
    `stored something: ${report.stored} (of which answered 4xx: ${report.storedWhileRejected})`,
    `failing cases: ${report.failingCases}; distinct failures: ${report.failures.length}`,
    `cases per operation: ${Object.entries(report.byOperation)
      .map(([o, n]) => `${o} ${n}`)
      .join(', ')}`,
    ...report.failures.map(formatFailure),
  ].join('\n');
}
