import { describe, expect, it } from 'vitest';
import { ChainVerifier, GENESIS_HASH, linkHash, verifyChain } from '../../../domain/audit-chain.js';
import {
  type ExportAuditDeps,
  exportAudit,
  type Invocation,
} from '../../../functions/export-audit/export-audit.js';
import { decodeCursor } from '../../../functions/shared/adapters/cursor.js';
import { InvalidCursorError } from '../../../functions/shared/errors.js';
import type { ExportJob } from '../../../functions/shared/ports/audit-exports.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import { CursorQuerySchema } from '../../../schemas/common.js';
import {
  chainOf,
  FakeChain,
  FakeCheckpoints,
  FakeExportFiles,
  FakeExportJobs,
  FakeExportQueue,
} from '../../helpers/export-fakes.js';
import { fixedClock } from '../../helpers/fakes.js';

// Regression tests for defects found by the hostile probe of audit exports, subject access and
// the verify CLI. Each fails on the code it was written against.

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('forged cursors never reach DynamoDB as keys it refuses (a 500)', () => {
  // DynamoDB refuses an empty string as a key attribute ("The AttributeValue for a key attribute
  // cannot contain an empty string value"): GET /v1/audit-exports, GET /v1/audit-events and
  // POST /v1/subject-access-requests answered 500 to such a cursor.
  const forged = base64url({ pk: 'EXPORTS#local-municipality-0363', sk: '' });

  it('the query schema names it as a bad cursor (400)', () => {
    const parsed = CursorQuerySchema.safeParse({ cursor: forged });
    expect(parsed.success).toBe(false);
  });

  it('decodeCursor refuses it as not issued by this API', () => {
    expect(() => decodeCursor(forged, { pk: 'EXPORTS#local-municipality-0363' }, ['pk', 'sk'])).toThrow(
      InvalidCursorError,
    );
  });
});

describe('audit verify on a hostile file whose hashes are all right', () => {
  // A chain of 200,000 objects, each recorded only at version 2 (version 1 missing): more gaps
  // than Math.min(...gaps) takes as arguments. `npm run schakel -- audit verify` crashed with
  // "RangeError: Maximum call stack size exceeded" and a stack trace (domain/audit-chain.ts:155).
  it('reports the version gaps instead of throwing', () => {
    const verifier = new ChainVerifier();
    let prevHash = GENESIS_HASH;
    for (let sequence = 1; sequence <= 200_000; sequence++) {
      const unhashed = {
        sequence,
        prevHash,
        action: 'U',
        object: { type: 'signal', id: `s${sequence}`, version: 2 },
      };
      const entry = { ...unhashed, hash: linkHash(unhashed) };
      verifier.add(entry);
      prevHash = entry.hash;
    }
    let result: ReturnType<ChainVerifier['result']> | undefined;
    expect(() => {
      result = verifier.result();
    }).not.toThrow();
    expect(result).toMatchObject({ valid: false, problem: 'version-gap', sequence: 1 });
  }, 60_000);
});

describe('an export that retention trims while it runs', () => {
  const JOB_ID = '01938f4e-7a1b-7c64-8a2f-1c8c9eab2d02';
  const minute = (n: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 60_000).toISOString();

  /** The chain as retention leaves it: entries through `removeThrough` deleted once the export has planned. */
  class TrimmedWhileRead extends FakeChain {
    constructor(
      private readonly all: AuditEvent[],
      private readonly removeThrough: number,
    ) {
      super(new Map([['0363', all]]));
    }
    override async *entries(municipality: string, first: number, last: number) {
      // apply-retention's removeThrough runs between plan() and the first page.
      this.entriesOf.set(
        municipality,
        this.all.filter((e) => e.sequence > this.removeThrough),
      );
      yield* super.entries(municipality, first, last);
    }
  }

  // The export planned entries 1–20 (afterSequence 0, genesis), retention then deleted 1–10. The
  // export skipped the hole silently and was marked done, with a manifest whose firstSequence is 11
  // after afterSequence 0: a "done" file that fails `audit verify` (first-event-mismatch). It must
  // not be handed out as done (fail or re-plan from the checkpoint instead).
  it('is not marked done with a file that does not verify from its manifest', async () => {
    const all = chainOf('0363', 30);
    const deps = {
      jobs: new FakeExportJobs(),
      chain: new TrimmedWhileRead(all, 10),
      checkpoints: new FakeCheckpoints(),
      files: new FakeExportFiles(),
      queue: new FakeExportQueue(),
      now: fixedClock('2026-11-29T12:00:00Z'),
      fileRetentionDays: 7,
    } satisfies ExportAuditDeps;
    const job: ExportJob = {
      id: JOB_ID,
      clientId: 'municipality-0363',
      municipality: '0363',
      from: minute(0),
      to: minute(20),
      format: 'ndjson',
      status: 'pending',
      createdAt: '2026-11-29T11:59:00.000Z',
      updatedAt: '2026-11-29T11:59:00.000Z',
      revision: 1,
    };
    await deps.jobs.create(job);
    const invocation: Invocation = { id: 'invocation-1', remainingMs: () => 900_000 };

    await exportAudit(deps, { exportId: JOB_ID, clientId: job.clientId }, invocation).catch(() => 'threw');

    const stored = await deps.jobs.get(JOB_ID);
    if (stored?.status !== 'done' || !stored.manifest || !stored.fileKey) return;
    const lines = deps.files
      .text(stored.fileKey)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent);
    const verification = verifyChain(lines, {
      sequence: stored.manifest.afterSequence,
      hash: stored.manifest.previousHash,
    });
    expect(verification.valid, 'a done export must verify from its manifest').toBe(true);
  });
});
