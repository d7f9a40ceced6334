import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../../functions/registry.js';
import { depthSweep, formatFailure, formatSweepFailures, runFuzz } from '../../hostile/engine.js';
import { baseRequest, send } from '../../hostile/requests.js';
import { VALID_BODIES } from '../../hostile/valid-bodies.js';
import { effectsOf, seededHub, TENANTS } from '../../hostile/world.js';

// The hostile-request fuzz (test/hostile/) at a size that keeps `npm test` quick: a fixed seed,
// so a failure here fails the same way on every machine; `npm run fuzz` runs the big one.

const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
const RUNS_PER_OPERATION = 60;

/** Every valid request the fuzz starts from: each allowed role, each body variant. */
const STARTS = OPERATIONS.flatMap((op) => {
  const roles = op.spec.roles === 'public' ? [undefined] : op.spec.roles;
  const variants = op.spec.body ? (VALID_BODIES.get(op.spec.body.schema)?.length ?? 1) : 1;
  return roles.flatMap((role) =>
    Array.from({ length: variants }, (_, variant) => {
      const request = baseRequest(op, TENANTS.a, { role, variant, user: true });
      return {
        operationId: op.operationId,
        role: role ?? 'anyone',
        body: request.variant?.name ?? 'no body',
        request,
      };
    }),
  );
});

describe('hostile requests', () => {
  // First in the file, while the handlers' code is cold: see depthSweep.
  describe('bodies nested deeper than any request of this API', () => {
    it('answers every depth from 1,700 to 2,700 objects with 400, never 5xx', async () => {
      const failures = await depthSweep();

      expect(failures.length, formatSweepFailures(failures)).toBe(0);
    });
  });

  describe('the valid requests the fuzz mutates', () => {
    // A rejection in the fuzz must be the mutation's doing, so unmutated every request succeeds.
    it.each(STARTS)('answers $operationId as $role ($body) with 2xx', async ({ request }) => {
      const hub = await seededHub();
      const before = effectsOf(hub);

      const answer = await send(hub, request.request);

      expect(answer.status, answer.text).toBeGreaterThanOrEqual(200);
      expect(answer.status, answer.text).toBeLessThan(300);
      // The oracle's "nothing stored" sees what each accepted POST leaves behind.
      if (request.request.body.kind !== 'none') expect(effectsOf(hub)).not.toEqual(before);
    });
  });

  describe(`fuzz with seed ${SEED}, ${RUNS_PER_OPERATION} cases per operation`, () => {
    it.each(OPERATIONS.map((o) => o.operationId))(
      'answers every invalid %s request with the promised 4xx problem and stores nothing',
      async (operationId) => {
        const report = await runFuzz({ runs: RUNS_PER_OPERATION, seed: SEED, operations: [operationId] });

        expect(report.records).toHaveLength(RUNS_PER_OPERATION);
        expect(report.failures.length, report.failures.map(formatFailure).join('\n\n')).toBe(0);
      },
    );

    it('sends cases with two and three mutations at once, and some with a refused role', async () => {
      const report = await runFuzz({ runs: 10 * OPERATIONS.length, seed: SEED });

      expect(report.byMutationCount['2']).toBeGreaterThan(0);
      expect(report.byMutationCount['3']).toBeGreaterThan(0);
      expect(report.byFamily['role-not-allowed']).toBeGreaterThan(0);
    });
  });
});
