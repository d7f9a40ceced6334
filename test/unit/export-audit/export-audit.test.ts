import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../domain/audit-chain.js';
import { CSV_BOM, csvHeaderLine } from '../../../domain/audit-csv.js';
import { canonicalJson } from '../../../domain/canonical-json.js';
import {
  type ExportAuditDeps,
  exportAudit,
  FINISH_MARGIN_MS,
  HANDOVER_MARGIN_MS,
  type Invocation,
  MAX_FAILURES,
  MAX_REPLANS,
} from '../../../functions/export-audit/export-audit.js';
import type { ExportJob } from '../../../functions/shared/ports/audit-exports.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import { AuditExportManifestSchema } from '../../../schemas/audit-export.js';
import {
  chainOf,
  FakeChain,
  FakeCheckpoints,
  FakeExportFiles,
  FakeExportJobs,
  FakeExportQueue,
} from '../../helpers/export-fakes.js';
import { fixedClock } from '../../helpers/fakes.js';

const JOB_ID = '01938f4e-7a1b-7c64-8a2f-1c8c9eab2d02';
const minute = (n: number) => new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 60_000).toISOString();

function setup(options: { count?: number; now?: string; partBytes?: number } = {}) {
  const chain = chainOf('0363', options.count ?? 30);
  const deps = {
    jobs: new FakeExportJobs(),
    chain: new FakeChain(new Map([['0363', chain]])),
    checkpoints: new FakeCheckpoints(),
    files: new FakeExportFiles(),
    queue: new FakeExportQueue(),
    now: fixedClock(options.now ?? '2026-11-29T12:00:00Z'),
    fileRetentionDays: 7,
    ...(options.partBytes ? { partBytes: options.partBytes } : {}),
  } satisfies ExportAuditDeps;
  return { deps, chain };
}

async function createJob(
  deps: { jobs: FakeExportJobs },
  overrides: Partial<ExportJob> = {},
): Promise<ExportJob> {
  const job: ExportJob = {
    id: JOB_ID,
    clientId: 'municipality-0363',
    municipality: '0363',
    from: minute(5),
    to: minute(20),
    format: 'ndjson',
    status: 'pending',
    createdAt: '2026-11-29T11:59:00.000Z',
    updatedAt: '2026-11-29T11:59:00.000Z',
    revision: 1,
    ...overrides,
  };
  await deps.jobs.create(job);
  return job;
}

const plenty = (id = 'invocation-1'): Invocation => ({ id, remainingMs: () => 900_000 });
const message = { exportId: JOB_ID, clientId: 'municipality-0363' };

async function doneJob(deps: { jobs: FakeExportJobs }) {
  const job = await deps.jobs.get(JOB_ID);
  if (!job?.manifest || !job.fileKey) throw new Error(`job is ${job?.status}, not done`);
  return { job, manifest: AuditExportManifestSchema.parse(job.manifest), fileKey: job.fileKey };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const linesOf = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent);

describe('exportAudit', () => {
  it('writes the entries recorded in the period in chain order, one canonical event per line, and a manifest that checks out', async () => {
    const { deps, chain } = setup();
    await createJob(deps);

    expect(await exportAudit(deps, message, plenty())).toBe('done');

    const { job, manifest, fileKey } = await doneJob(deps);
    const text = deps.files.text(fileKey);
    const lines = linesOf(text);
    // Entry n was recorded at minute n-1: minutes 5 up to (not including) 20 are entries 6–20.
    expect(lines.map((e) => e.sequence)).toEqual(Array.from({ length: 15 }, (_, i) => i + 6));
    expect(text.split('\n')[0]).toBe(canonicalJson(chain[5]));
    expect(verifyChain(lines, { sequence: 5, hash: chain[4]?.hash as string })).toMatchObject({
      valid: true,
      count: 15,
    });
    expect(manifest).toMatchObject({
      exportId: JOB_ID,
      municipality: '0363',
      period: { from: minute(5), to: minute(20), basis: 'recordedAt' },
      format: 'ndjson',
      eventCount: 15,
      afterSequence: 5,
      firstSequence: 6,
      lastSequence: 20,
      previousHash: chain[4]?.hash,
      lastHash: chain[19]?.hash,
      file: { sha256: sha256(text), bytes: Buffer.byteLength(text), mediaType: 'application/x-ndjson' },
      generator: { name: 'schakel' },
    });
    expect(manifest.file.name).toBe('audit-0363-20260101T000500Z-20260101T002000Z.ndjson');
    expect(JSON.parse(deps.files.text(`${fileKey}.manifest.json`))).toEqual(manifest);
    expect(job).toMatchObject({ status: 'done', eventCount: 15, availableUntil: '2026-12-06T12:00:00.000Z' });
    expect(job.lease).toBeUndefined();
    expect(job.progress).toBeUndefined();
  });

  it('ends a period that reaches into the last two minutes two minutes before it runs, and says so', async () => {
    const { deps } = setup({ now: minute(25) });
    await createJob(deps, { from: minute(0), to: minute(60) });

    await exportAudit(deps, message, plenty());

    const { manifest } = await doneJob(deps);
    expect(manifest.period.to).toBe(minute(23));
    expect(manifest).toMatchObject({ afterSequence: 0, lastSequence: 23, eventCount: 23 });
    expect(manifest.previousHash).toBe('0'.repeat(64));
  });

  it('writes an empty file with a manifest that joins on when nothing was recorded in the period', async () => {
    const { deps, chain } = setup();
    await createJob(deps, { from: minute(100), to: minute(200) });

    await exportAudit(deps, message, plenty());

    const { manifest, fileKey } = await doneJob(deps);
    expect(deps.files.text(fileKey)).toBe('');
    expect(manifest).toMatchObject({ eventCount: 0, afterSequence: 30, lastSequence: 30 });
    expect(manifest.firstSequence).toBeUndefined();
    expect(manifest.previousHash).toBe(chain[29]?.hash);
    expect(manifest.lastHash).toBe(chain[29]?.hash);
    expect(manifest.file.sha256).toBe(sha256(''));
  });

  it('writes the CSV with a BOM, the Dutch header and one row per event', async () => {
    const { deps } = setup();
    await createJob(deps, { format: 'csv' });

    await exportAudit(deps, message, plenty());

    const { manifest, fileKey } = await doneJob(deps);
    const text = deps.files.text(fileKey);
    expect(text.startsWith(CSV_BOM + csvHeaderLine())).toBe(true);
    expect(text.slice(CSV_BOM.length).split('\r\n').filter(Boolean)).toHaveLength(1 + 15);
    expect(manifest).toMatchObject({ format: 'csv', eventCount: 15, file: { sha256: sha256(text) } });
    expect(manifest.file.name.endsWith('.csv')).toBe(true);
  });

  it('hands over to a next invocation when time runs short, which continues the same upload to the same file', async () => {
    const whole = setup();
    await createJob(whole.deps, { from: minute(0), to: minute(30) });
    await exportAudit(whole.deps, message, plenty());
    const expected = whole.deps.files.text((await doneJob(whole.deps)).fileKey);

    const { deps } = setup({ partBytes: 4000 });
    await createJob(deps, { from: minute(0), to: minute(30) });
    const short: Invocation = { id: 'invocation-1', remainingMs: () => HANDOVER_MARGIN_MS - 1 };

    expect(await exportAudit(deps, message, short)).toBe('handed-over');
    const halfway = await deps.jobs.get(JOB_ID);
    expect(halfway).toMatchObject({ status: 'running' });
    expect(halfway?.lease).toBeUndefined();
    expect(halfway?.progress?.parts).toHaveLength(1);
    expect(deps.queue.messages).toEqual([message]);

    let outcome: string | undefined;
    for (let i = 2; i < 20 && outcome !== 'done'; i++) {
      outcome = await exportAudit(deps, message, { id: `invocation-${i}`, remainingMs: short.remainingMs });
    }
    expect(outcome).toBe('done');

    const { manifest, fileKey } = await doneJob(deps);
    const text = deps.files.text(fileKey);
    expect(text).toBe(expected);
    expect(deps.queue.messages.length).toBeGreaterThan(1);
    // Continued across invocations, the digest was taken by reading the file back.
    expect(manifest.file.sha256).toBe(sha256(expected));
    expect(manifest).toMatchObject({
      eventCount: 30,
      lastSequence: 30,
      file: { bytes: Buffer.byteLength(expected) },
    });
  });

  it('leaves a job alone that another invocation holds, while its lease runs', async () => {
    const { deps } = setup();
    await createJob(deps, {
      status: 'running',
      lease: { owner: 'other', until: '2026-11-29T12:10:00.000Z' },
    });

    expect(await exportAudit(deps, message, plenty())).toBe('skipped');

    expect(deps.files.objects.size).toBe(0);
    expect((await deps.jobs.get(JOB_ID))?.lease?.owner).toBe('other');
  });

  it('takes over a job whose holder died once its lease ran out', async () => {
    const { deps } = setup();
    await createJob(deps, { status: 'running', lease: { owner: 'dead', until: '2026-11-29T11:50:00.000Z' } });

    expect(await exportAudit(deps, message, plenty())).toBe('done');
  });

  it('goes on from the last part after a failed attempt', async () => {
    const { deps } = setup({ partBytes: 4000 });
    await createJob(deps, { from: minute(0), to: minute(30) });
    deps.files.failUploadPart = 2;

    await expect(exportAudit(deps, message, plenty('invocation-1'))).rejects.toThrow('S3 unreachable');
    const failed = await deps.jobs.get(JOB_ID);
    // Part 1 was written: the attempt got somewhere, so it does not count against the job.
    expect(failed).toMatchObject({ status: 'running', failures: 0 });
    expect(failed?.lease).toBeUndefined();
    expect(failed?.progress?.parts).toHaveLength(1);

    expect(await exportAudit(deps, message, plenty('invocation-2'))).toBe('done');
    const { manifest, fileKey } = await doneJob(deps);
    const lines = linesOf(deps.files.text(fileKey));
    expect(lines.map((e) => e.sequence)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(verifyChain(lines)).toMatchObject({ valid: true });
    expect(manifest.file.sha256).toBe(sha256(deps.files.text(fileKey)));
  });

  it(`gives a job up after ${MAX_FAILURES} attempts in a row that got nowhere, and abandons its upload`, async () => {
    const { deps } = setup({ partBytes: 4000 });
    await createJob(deps, { from: minute(0), to: minute(30) });
    deps.files.failUploadPart = 2;
    await expect(exportAudit(deps, message, plenty('got-somewhere'))).rejects.toThrow();
    for (let i = 1; i <= MAX_FAILURES; i++) {
      deps.files.failUploadPart = 2;
      await expect(exportAudit(deps, message, plenty(`invocation-${i}`))).rejects.toThrow();
      expect((await deps.jobs.get(JOB_ID))?.failures).toBe(i);
    }

    expect(await exportAudit(deps, message, plenty('last'))).toBe('failed');

    const job = await deps.jobs.get(JOB_ID);
    expect(job).toMatchObject({ status: 'failed', failure: expect.stringContaining('failed 3 times') });
    expect(deps.files.aborted).toEqual(['upload-1']);
    expect(await exportAudit(deps, message, plenty('after'))).toBe('skipped');
  });

  it('counts an attempt the runtime killed (no catch ran): its lease runs out and the next one sees the count', async () => {
    const { deps } = setup();
    await createJob(deps, {
      status: 'running',
      failures: MAX_FAILURES,
      lease: { owner: 'killed', until: '2026-11-29T11:45:00.000Z' },
    });

    expect(await exportAudit(deps, message, plenty())).toBe('failed');
    expect((await deps.jobs.get(JOB_ID))?.status).toBe('failed');
  });

  it('starts over from a new plan when retention removed the start of the period under it', async () => {
    const { deps, chain } = setup();
    await createJob(deps, { from: minute(0), to: minute(20) });
    const removed = chain.slice(0, 10);
    // Retention runs between the plan and the first page: entries 1–10 go, the checkpoint moves.
    const entries = deps.chain.entries.bind(deps.chain);
    deps.chain.entries = async function* (municipality, first, last) {
      chain.splice(0, chain.length, ...chain.filter((e) => e.sequence > 10));
      deps.checkpoints.checkpoints.set('0363', {
        removedThroughYear: 2025,
        lastSequence: 10,
        lastHash: removed[9]?.hash as string,
      });
      yield* entries(municipality, first, last);
    };

    expect(await exportAudit(deps, message, plenty('first'))).toBe('replanned');
    expect(deps.queue.messages).toEqual([message]);
    expect(await exportAudit(deps, message, plenty('second'))).toBe('done');

    const { manifest, fileKey } = await doneJob(deps);
    const lines = linesOf(deps.files.text(fileKey));
    expect(manifest).toMatchObject({ afterSequence: 10, retentionCheckpoint: { lastSequence: 10 } });
    expect(
      verifyChain(lines, { sequence: manifest.afterSequence, hash: manifest.previousHash }),
    ).toMatchObject({
      valid: true,
    });
  });

  it(`gives up after ${MAX_REPLANS} new plans when the trail keeps changing (or does not link up)`, async () => {
    const { deps, chain } = setup();
    await createJob(deps, { from: minute(0), to: minute(20) });
    (chain[4] as { prevHash: string }).prevHash = 'f'.repeat(64);

    const outcomes = [];
    for (let i = 0; i <= MAX_REPLANS; i++) outcomes.push(await exportAudit(deps, message, plenty(`i-${i}`)));

    expect(outcomes).toEqual([...Array(MAX_REPLANS).fill('replanned'), 'failed']);
    expect((await deps.jobs.get(JOB_ID))?.failure).toContain('did not link on at sequence 5');
  });

  it('hands the read-back of a continued file to a fresh invocation when little time is left', async () => {
    const { deps } = setup({ partBytes: 4000 });
    await createJob(deps, { from: minute(0), to: minute(30) });
    const times = [HANDOVER_MARGIN_MS - 1, FINISH_MARGIN_MS - 1];
    const outcomes: string[] = [];
    for (const [i, left] of times.entries()) {
      outcomes.push(await exportAudit(deps, message, { id: `i-${i}`, remainingMs: () => left }));
    }
    outcomes.push(await exportAudit(deps, message, plenty('fresh')));

    expect(outcomes.at(-2)).toBe('handed-over');
    expect(outcomes.at(-1)).toBe('done');
    const { manifest, fileKey } = await doneJob(deps);
    expect(manifest.file.sha256).toBe(sha256(deps.files.text(fileKey)));
    expect(linesOf(deps.files.text(fileKey))).toHaveLength(30);
  });

  it('finishes a job whose upload an attempt completed before it died', async () => {
    const { deps } = setup({ partBytes: 4000 });
    await createJob(deps, { from: minute(0), to: minute(30) });
    const complete = deps.files.completeUpload.bind(deps.files);
    deps.files.completeUpload = async (...args) => {
      await complete(...args);
      throw new Error('died after completing');
    };
    await expect(exportAudit(deps, message, plenty('dies'))).rejects.toThrow('died after completing');
    deps.files.completeUpload = async () => {
      throw Object.assign(new Error('The specified upload does not exist'), { name: 'NoSuchUpload' });
    };

    expect(await exportAudit(deps, message, plenty('next'))).toBe('done');
    const { manifest, fileKey } = await doneJob(deps);
    expect(manifest.file.sha256).toBe(sha256(deps.files.text(fileKey)));
  });

  it('starts after the retention checkpoint when earlier years were removed', async () => {
    const { deps, chain } = setup();
    const removed = chain.splice(0, 10);
    deps.checkpoints.checkpoints.set('0363', {
      removedThroughYear: 2020,
      lastSequence: 10,
      lastHash: removed[9]?.hash as string,
    });
    await createJob(deps, { from: minute(0), to: minute(30) });

    await exportAudit(deps, message, plenty());

    const { manifest, fileKey } = await doneJob(deps);
    const lines = linesOf(deps.files.text(fileKey));
    expect(lines[0]?.sequence).toBe(11);
    expect(manifest).toMatchObject({
      afterSequence: 10,
      previousHash: removed[9]?.hash,
      retentionCheckpoint: { removedThroughYear: 2020, lastSequence: 10, lastHash: removed[9]?.hash },
      eventCount: 20,
    });
    expect(verifyChain(lines, { sequence: 10, hash: manifest.previousHash })).toMatchObject({ valid: true });
  });

  it('finds the period by binary search, not by reading the chain from the start', async () => {
    const { deps } = setup({ count: 1000 });
    await createJob(deps, { from: minute(900), to: minute(901) });

    await exportAudit(deps, message, plenty());

    expect((await doneJob(deps)).manifest).toMatchObject({
      afterSequence: 900,
      lastSequence: 901,
      eventCount: 1,
    });
    expect(deps.chain.reads).toBeLessThan(30);
  });

  it('does nothing for a job that is done, failed or gone', async () => {
    const { deps } = setup();
    expect(await exportAudit(deps, message, plenty())).toBe('skipped');
    await createJob(deps, { status: 'done' });
    expect(await exportAudit(deps, message, plenty())).toBe('skipped');
    expect(deps.files.objects.size).toBe(0);
  });
});
