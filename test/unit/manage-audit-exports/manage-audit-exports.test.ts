import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/manage-audit-exports/handler.js';
import type { ManageAuditExportsDeps } from '../../../functions/manage-audit-exports/manage-audit-exports.js';
import type { ExportJob } from '../../../functions/shared/ports/audit-exports.js';
import { AuditExportSchema } from '../../../schemas/audit-export.js';
import type { Client } from '../../../schemas/client.js';
import { answerOf, invalidNames, operationEvent, problemOf } from '../../helpers/api-calls.js';
import { municipalityClient, schoolClient } from '../../helpers/clients.js';
import { FakeExportFiles, FakeExportJobs, FakeExportQueue } from '../../helpers/export-fakes.js';
import { FakeAccessLog, fixedClock, sequentialIds } from '../../helpers/fakes.js';

const amsterdam = municipalityClient(['0363', '0384']);
const admin: Client = { ...municipalityClient([]), clientId: 'operator', role: 'admin', scope: {} };
const body = {
  municipality: '0363',
  from: '2026-01-01T00:00:00+01:00',
  to: '2026-12-01T00:00:00Z',
  format: 'csv',
};

function setup(): ManageAuditExportsDeps & {
  jobs: FakeExportJobs;
  queue: FakeExportQueue;
  files: FakeExportFiles;
  access: FakeAccessLog;
} {
  return {
    jobs: new FakeExportJobs(),
    queue: new FakeExportQueue(),
    files: new FakeExportFiles(),
    access: new FakeAccessLog(),
    now: fixedClock('2026-11-29T12:00:00Z'),
    newId: sequentialIds(),
  };
}

const call = (
  deps: ManageAuditExportsDeps,
  operationId: string,
  options: Parameters<typeof operationEvent>[1],
) => answerOf(makeHandler(deps)(operationEvent(operationId, options)));

function doneJob(overrides: Partial<ExportJob> = {}): ExportJob {
  const name = 'audit-0363-20260101T000000Z-20261201T000000Z.csv';
  return {
    id: '00000000-0000-4000-8000-0000000000aa',
    clientId: amsterdam.clientId,
    municipality: '0363',
    from: '2026-01-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    format: 'csv',
    status: 'done',
    createdAt: '2026-11-29T11:00:00.000Z',
    updatedAt: '2026-11-29T11:01:00.000Z',
    revision: 5,
    eventCount: 2,
    fileKey: `audit-exports/0363/x/${name}`,
    manifestKey: `audit-exports/0363/x/${name}.manifest.json`,
    availableUntil: '2026-12-06T11:01:00.000Z',
    manifest: {
      manifestSchema: 'https://schakel.nl/schemas/audit-export-manifest/v1',
      exportId: '00000000-0000-4000-8000-0000000000aa',
      municipality: '0363',
      period: { from: '2026-01-01T00:00:00.000Z', to: '2026-11-29T10:55:00.000Z', basis: 'recordedAt' },
      format: 'csv',
      file: { name, sha256: 'a'.repeat(64), bytes: 10, mediaType: 'text/csv; charset=utf-8' },
      eventCount: 2,
      afterSequence: 0,
      firstSequence: 1,
      lastSequence: 2,
      previousHash: '0'.repeat(64),
      lastHash: 'b'.repeat(64),
      algorithm: 'sha256(prevHash + "\\n" + rfc8785(event without hash))',
      eventSchemaVersion: '1',
      generator: { name: 'schakel', version: '0.1.0' },
      generatedAt: '2026-11-29T11:01:00.000Z',
    },
    ...overrides,
  };
}

describe('POST /v1/audit-exports', () => {
  it('starts a job: 202 with Location, the request in the audit trail first, ids only on the queue', async () => {
    const deps = setup();

    const answer = await call(deps, 'createAuditExport', {
      client: amsterdam,
      body,
      headers: { 'Schakel-User': 'beleid-17' },
    });

    expect(answer.status).toBe(202);
    const job = AuditExportSchema.parse(answer.body);
    expect(job).toMatchObject({
      status: 'pending',
      municipality: '0363',
      // Kept as UTC instants, whatever offset the request used.
      from: '2025-12-31T23:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      format: 'csv',
    });
    expect(answer.headers.location).toBe(`/v1/audit-exports/${job.id}`);
    expect(deps.queue.messages).toEqual([{ exportId: job.id, clientId: amsterdam.clientId }]);
    expect(deps.access.records).toEqual([
      expect.objectContaining({
        municipality: '0363',
        objectType: 'audit-export',
        objectId: job.id,
        change: expect.objectContaining({
          eventType: 'audit-export.requested',
          purpose: 'accountability',
          actor: expect.objectContaining({ clientId: amsterdam.clientId, user: 'beleid-17' }),
          details: { from: job.from, to: job.to, format: 'csv' },
        }),
      }),
    ]);
  });

  it('names every bad field at once and stores nothing', async () => {
    const deps = setup();

    const answer = await call(deps, 'createAuditExport', {
      client: amsterdam,
      body: {
        municipality: '0534',
        from: '2026-12-01T00:00:00Z',
        to: '2026-01-01T00:00:00Z',
        format: 'xlsx',
      },
    });

    // `from` is in the future too (the clock says 2026-11-29).
    expect(invalidNames(answer).sort()).toEqual(['format', 'from', 'municipality', 'to']);
    expect(deps.jobs.jobs.size).toBe(0);
    expect(deps.access.records).toHaveLength(0);
    expect(deps.queue.messages).toHaveLength(0);
  });

  it('refuses a period longer than five years', async () => {
    const answer = await call(setup(), 'createAuditExport', {
      client: amsterdam,
      body: { ...body, from: '2020-01-01T00:00:00Z', to: '2025-01-02T00:00:00Z' },
    });
    expect(problemOf(answer, 400).invalidParams).toEqual([
      { name: 'to', reason: 'must be at most 5 years after from' },
    ]);
  });

  it('answers 403 naming municipality for another municipality’s trail', async () => {
    const deps = setup();
    const answer = await call(deps, 'createAuditExport', {
      client: amsterdam,
      body: { ...body, municipality: '0534' },
    });
    expect(invalidNames(answer, 403)).toEqual(['municipality']);
    expect(deps.jobs.jobs.size).toBe(0);
  });

  it('lets an admin export any municipality, and refuses a school', async () => {
    expect(
      (await call(setup(), 'createAuditExport', { client: admin, body: { ...body, municipality: '0534' } }))
        .status,
    ).toBe(202);
    problemOf(await call(setup(), 'createAuditExport', { client: schoolClient(), body }), 403);
  });

  it('refuses a period that starts in the future, naming from', async () => {
    const deps = setup();
    const answer = await call(deps, 'createAuditExport', {
      client: amsterdam,
      body: { ...body, from: '2026-11-29T12:00:01Z', to: '2026-12-29T00:00:00Z' },
    });
    expect(problemOf(answer, 400).invalidParams).toEqual([
      { name: 'from', reason: 'must not be in the future' },
    ]);
    expect(deps.jobs.jobs.size).toBe(0);
  });

  it('answers the same request while its export is under way with that export, recording nothing new', async () => {
    const deps = setup();
    const first = AuditExportSchema.parse(
      (await call(deps, 'createAuditExport', { client: amsterdam, body })).body,
    );

    const again = await call(deps, 'createAuditExport', { client: amsterdam, body });

    expect(again.status).toBe(202);
    expect(AuditExportSchema.parse(again.body).id).toBe(first.id);
    expect(deps.jobs.jobs.size).toBe(1);
    expect(deps.access.records).toHaveLength(1);
    expect(deps.queue.messages).toHaveLength(1);
  });

  it('answers 429 with Retry-After while the client has three exports under way, and starts one again when one is done', async () => {
    const deps = setup();
    const periods = ['2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01'];
    const answers = [];
    for (const [i, from] of periods.entries()) {
      const to = i + 1 < periods.length ? periods[i + 1] : '2026-05-01';
      answers.push(
        await call(deps, 'createAuditExport', {
          client: amsterdam,
          body: { ...body, from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` },
        }),
      );
    }

    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([202, 202, 202]);
    problemOf(answers[3] as never, 429);
    expect(answers[3]?.headers['retry-after']).toBe('60');
    expect(deps.jobs.jobs.size).toBe(3);

    const done = [...deps.jobs.jobs.values()][0] as ExportJob;
    deps.jobs.jobs.set(done.id, { ...done, status: 'done' });
    const later = await call(deps, 'createAuditExport', {
      client: amsterdam,
      body: { ...body, from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' },
    });
    expect(later.status).toBe(202);
  });

  it('starts no job when the request cannot be recorded in the audit trail', async () => {
    const deps = setup();
    deps.access.failNext();

    const answer = await call(deps, 'createAuditExport', { client: amsterdam, body });

    expect(answer.status).toBeGreaterThanOrEqual(500);
    expect(deps.jobs.jobs.size).toBe(0);
    expect(deps.queue.messages).toHaveLength(0);
  });

  it('answers 503 and marks the job failed when the queue cannot be reached', async () => {
    const deps = setup();
    deps.queue.failNext = true;

    const answer = await call(deps, 'createAuditExport', { client: amsterdam, body });

    problemOf(answer, 503);
    expect([...deps.jobs.jobs.values()].map((j) => j.status)).toEqual(['failed']);
  });
});

describe('GET /v1/audit-exports/{id}', () => {
  it('hands out short-lived links to a done export and records that in the audit trail first', async () => {
    const deps = setup();
    const job = doneJob();
    await deps.jobs.create(job);

    const answer = await call(deps, 'getAuditExport', { client: amsterdam, path: { id: job.id } });

    expect(answer.status).toBe(200);
    const view = AuditExportSchema.parse(answer.body);
    expect(view).toMatchObject({ status: 'done', eventCount: 2, expiresAt: '2026-11-29T12:15:00.000Z' });
    expect(view.downloadUrl).toContain(encodeURIComponent(job.manifest?.file.name as string));
    expect(view.manifestUrl).toContain('.manifest.json');
    expect(deps.access.records).toEqual([
      expect.objectContaining({
        objectType: 'audit-export',
        objectId: job.id,
        change: expect.objectContaining({ eventType: 'audit-export.downloaded', purpose: 'accountability' }),
      }),
    ]);
  });

  it('gives no links, and records nothing, for a job not done or a file past its time', async () => {
    const deps = setup();
    await deps.jobs.create(doneJob({ id: '00000000-0000-4000-8000-0000000000b1', status: 'running' }));
    await deps.jobs.create(
      doneJob({ id: '00000000-0000-4000-8000-0000000000b2', availableUntil: '2026-11-29T11:59:59.000Z' }),
    );
    for (const id of ['00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000b2']) {
      const view = AuditExportSchema.parse(
        (await call(deps, 'getAuditExport', { client: amsterdam, path: { id } })).body,
      );
      expect(view.downloadUrl).toBeUndefined();
    }
    expect(deps.access.records).toHaveLength(0);
  });

  it('answers 404 once the municipality is no longer the client’s, and lets an admin see any export', async () => {
    const deps = setup();
    const job = doneJob();
    await deps.jobs.create(job);
    const narrowed = municipalityClient(['0384'], { clientId: amsterdam.clientId });

    problemOf(await call(deps, 'getAuditExport', { client: narrowed, path: { id: job.id } }), 404);
    expect((await call(deps, 'getAuditExport', { client: admin, path: { id: job.id } })).status).toBe(200);
  });

  it('answers 404 for another client’s export and 400 for an id that is not a UUID', async () => {
    const deps = setup();
    const job = doneJob();
    await deps.jobs.create(job);
    const other = municipalityClient(['0363'], { clientId: 'municipality-colleague' });

    problemOf(await call(deps, 'getAuditExport', { client: other, path: { id: job.id } }), 404);
    expect(
      invalidNames(await call(deps, 'getAuditExport', { client: amsterdam, path: { id: 'x' } })),
    ).toEqual(['id']);
    expect(deps.access.records).toHaveLength(0);
  });
});

describe('GET /v1/audit-exports', () => {
  it('lists the caller’s own jobs without links', async () => {
    const deps = setup();
    await deps.jobs.create(doneJob());
    await deps.jobs.create(doneJob({ id: '00000000-0000-4000-8000-0000000000cc', clientId: 'someone-else' }));

    const answer = await call(deps, 'listAuditExports', { client: amsterdam });

    expect(answer.status).toBe(200);
    const page = answer.body as { items: unknown[] };
    expect(page.items.map((i) => AuditExportSchema.parse(i).id)).toEqual([doneJob().id]);
    expect(page.items[0]).not.toHaveProperty('downloadUrl');
    expect(deps.access.records).toHaveLength(0);
  });
});
