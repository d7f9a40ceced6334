import { createHash, randomUUID } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../domain/audit-chain.js';
import { type ExportAuditDeps, exportAudit } from '../../functions/export-audit/export-audit.js';
import {
  createAuditExport,
  getAuditExport,
  listAuditExports,
} from '../../functions/manage-audit-exports/manage-audit-exports.js';
import { DynamoDbAccessLog } from '../../functions/shared/adapters/dynamodb-access-log.js';
import {
  DynamoDbAuditChainReader,
  DynamoDbExportJobs,
} from '../../functions/shared/adapters/dynamodb-audit-exports.js';
import { DynamoDbAuditLog } from '../../functions/shared/adapters/dynamodb-audit-log.js';
import { createS3Client } from '../../functions/shared/adapters/s3-client.js';
import { S3ExportFiles } from '../../functions/shared/adapters/s3-export-files.js';
import type { AuditEntryDraft } from '../../functions/shared/ports/audit-log.js';
import { newTimeOrderedId } from '../../functions/shared/wiring.js';
import type { AuditEvent } from '../../schemas/audit-event.js';
import { AuditExportManifestSchema } from '../../schemas/audit-export.js';
import { municipalityClient } from '../helpers/clients.js';
import {
  createAuditTable,
  createStateTable,
  deleteTable,
  type EmulatedAws,
  emulatedAws,
} from '../helpers/emulated-aws.js';
import { FakeCheckpoints, FakeExportQueue } from '../helpers/export-fakes.js';

// The export against DynamoDB Local and fauxqs's S3: a real chain, a real multipart upload, a
// real pre-signed link fetched over HTTP.

const aws: EmulatedAws = emulatedAws();
const client = municipalityClient(['0363']);
let auditTable: string;
let stateTable: string;
let s3: S3Client;
let bucket: string;
const EVENTS = 3000;
const PER_DAY = 250;
/** About 4 KB per event, so that a period fills S3 parts of the real minimum size (5 MiB). */
const PADDING = 'x'.repeat(4000);

function draft(n: number): AuditEntryDraft {
  return {
    id: `SIGNAL#s${n}#v1`,
    municipality: '0363',
    occurredAt: '2026-03-01T10:00:00.000Z',
    action: 'C',
    eventType: 'signal.received',
    outcome: 'success',
    actor: { clientId: 'school-1', role: 'school', organisation: 'De Regenboog', user: 'ib-07' },
    object: { type: 'signal', id: `s${n}`, signalId: `s${n}`, pupilPseudonym: 'pp-abc', version: 1 },
    purpose: 'youth-care-access',
    details: { padding: PADDING },
  };
}

/** Entry n recorded on day ⌈n/250⌉ of March 2026: twelve days of 250 events. */
const dayOf = (day: number) => `2026-03-${String(day).padStart(2, '0')}T09:00:00.000Z`;

beforeAll(async () => {
  [auditTable, stateTable] = await Promise.all([createAuditTable(aws), createStateTable(aws)]);
  let appended = 0;
  const audit = new DynamoDbAuditLog(
    aws.documents,
    auditTable,
    () => new Date(dayOf(Math.floor(appended / PER_DAY) + 1)),
  );
  // Fifty at a time, so that each append's events fall on one day.
  for (let n = 1; n <= EVENTS; n += 50) {
    await audit.append(
      '0363',
      Array.from({ length: 50 }, (_, i) => draft(n + i)),
    );
    appended += 50;
  }
  s3 = createS3Client({ AWS_REGION: aws.region, S3_ENDPOINT: aws.sqsEndpoint });
  bucket = `exports-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}, 60_000);

afterAll(async () => {
  await Promise.all([deleteTable(aws, auditTable), deleteTable(aws, stateTable)]);
  s3.destroy();
});

function exportDeps(partBytes?: number): ExportAuditDeps & { queue: FakeExportQueue } {
  return {
    jobs: new DynamoDbExportJobs(aws.documents, auditTable),
    chain: new DynamoDbAuditChainReader(aws.documents, auditTable),
    checkpoints: new FakeCheckpoints(),
    files: new S3ExportFiles(s3, bucket),
    queue: new FakeExportQueue(),
    now: () => new Date('2026-11-29T12:00:00Z'),
    fileRetentionDays: 7,
    ...(partBytes ? { partBytes } : {}),
  };
}

function manageDeps(deps: ExportAuditDeps & { queue: FakeExportQueue }) {
  return {
    jobs: deps.jobs,
    queue: deps.queue,
    files: deps.files,
    access: new DynamoDbAccessLog(aws.documents, stateTable),
    now: deps.now,
    newId: newTimeOrderedId,
  };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('audit export against DynamoDB Local and S3 (fauxqs)', () => {
  it('streams a period of the chain into a multipart upload over several invocations; the link downloads a file that verifies', async () => {
    const deps = exportDeps(5 * 1024 * 1024);
    const manage = manageDeps(deps);
    const job = await createAuditExport(manage, {
      client,
      user: undefined,
      body: { municipality: '0363', from: dayOf(3), to: dayOf(11), format: 'ndjson' },
    });

    let outcome = await exportAudit(deps, deps.queue.messages[0] as never, {
      id: 'first',
      remainingMs: () => 30_000,
    });
    expect(outcome).toBe('handed-over');
    for (let i = 0; i < 50 && outcome !== 'done'; i++) {
      outcome = await exportAudit(deps, deps.queue.messages.at(-1) as never, {
        id: `next-${i}`,
        remainingMs: () => 30_000,
      });
    }
    expect(outcome).toBe('done');

    const view = await getAuditExport(manage, { client, user: 'beleid-1', id: job.id });
    expect(view).toMatchObject({ status: 'done', eventCount: 2000 });
    const manifest = AuditExportManifestSchema.parse(view.manifest);
    const file = Buffer.from(await (await fetch(view.downloadUrl as string)).arrayBuffer());
    const manifestFile = await (await fetch(view.manifestUrl as string)).json();
    expect(manifestFile).toEqual(manifest);
    expect(manifest).toMatchObject({
      afterSequence: 500,
      firstSequence: 501,
      lastSequence: 2500,
      eventCount: 2000,
    });
    // More than one part of S3's minimum size: the upload was multipart, continued by a second invocation.
    expect(file.length).toBeGreaterThan(5 * 1024 * 1024);
    expect(manifest.file).toMatchObject({ sha256: sha256(file), bytes: file.length });
    const lines = file
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    expect(verifyChain(lines, { sequence: 500, hash: manifest.previousHash })).toMatchObject({
      valid: true,
      count: 2000,
      lastHash: manifest.lastHash,
    });
  });

  it('joins two consecutive exports without gap or overlap, and writes the CSV', async () => {
    const deps = exportDeps();
    const manage = manageDeps(deps);
    const manifests = [];
    for (const [from, to] of [
      [dayOf(1), dayOf(5)],
      [dayOf(5), dayOf(13)],
    ] as const) {
      const job = await createAuditExport(manage, {
        client,
        user: undefined,
        body: { municipality: '0363', from, to, format: 'csv' },
      });
      expect(
        await exportAudit(
          deps,
          { exportId: job.id, clientId: client.clientId },
          {
            id: job.id,
            remainingMs: () => 900_000,
          },
        ),
      ).toBe('done');
      manifests.push(
        AuditExportManifestSchema.parse(
          (await getAuditExport(manage, { client, user: undefined, id: job.id })).manifest,
        ),
      );
    }
    const [first, second] = manifests as [(typeof manifests)[0], (typeof manifests)[0]];
    expect(first).toMatchObject({ afterSequence: 0, lastSequence: 1000 });
    expect(second).toMatchObject({
      afterSequence: first.lastSequence,
      previousHash: first.lastHash,
      lastSequence: EVENTS,
    });

    const page = await listAuditExports(manage, { client, user: undefined, query: { limit: 2 } });
    // Newest first (UUID v7 ids): the second export, then the first.
    expect(page.items.map((j) => j.manifest?.exportId)).toEqual([second.exportId, first.exportId]);
    expect(page.next).toBeDefined();
  });
});
