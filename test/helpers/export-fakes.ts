import { Readable } from 'node:stream';
import { GENESIS_HASH, linkHash } from '../../domain/audit-chain.js';
import { decodeCursor, encodeCursor } from '../../functions/shared/adapters/cursor.js';
import type {
  AuditChainReader,
  ExportJob,
  ExportJobPage,
  ExportJobStore,
  ExportQueue,
  UploadedPart,
} from '../../functions/shared/ports/audit-exports.js';
import type { AuditCheckpoint, AuditCheckpoints } from '../../functions/shared/ports/audit-retention.js';
import type { ExportFiles } from '../../functions/shared/ports/export-files.js';
import type { AuditEvent } from '../../schemas/audit-event.js';

// In-memory stand-ins for the export's ports, for unit tests of its use cases. The integration
// tests run the same use cases against DynamoDB Local and fauxqs's S3.

const copy = <T>(value: T): T => structuredClone(value);

export class FakeExportJobs implements ExportJobStore {
  readonly jobs = new Map<string, ExportJob>();
  saves = 0;

  async create(job: ExportJob): Promise<void> {
    if (this.jobs.has(job.id)) throw new Error(`job ${job.id} exists`);
    this.jobs.set(job.id, copy(job));
  }

  async get(id: string): Promise<ExportJob | undefined> {
    const job = this.jobs.get(id);
    return job && copy(job);
  }

  /** Newest first by id (UUID v7 ids sort by time), paged with cursors checked like the adapter's. */
  async list(clientId: string, page: { limit: number; cursor?: string | undefined }): Promise<ExportJobPage> {
    const pk = `EXPORTS#${clientId}`;
    const start = decodeCursor(page.cursor, { pk }, ['pk', 'sk'], { sk: 'EXPORT#' });
    const before = start ? String(start.sk).slice('EXPORT#'.length) : undefined;
    const mine = [...this.jobs.values()]
      .filter((j) => j.clientId === clientId && (before === undefined || j.id < before))
      .sort((a, b) => (a.id < b.id ? 1 : -1));
    const items = mine.slice(0, page.limit);
    const last = items.at(-1);
    const next =
      mine.length > items.length && last ? encodeCursor({ pk, sk: `EXPORT#${last.id}` }) : undefined;
    return { items: items.map(copy), ...(next ? { next } : {}) };
  }

  async save(job: ExportJob): Promise<boolean> {
    const stored = this.jobs.get(job.id);
    if (!stored || stored.revision !== job.revision - 1) return false;
    this.saves += 1;
    this.jobs.set(job.id, copy(job));
    return true;
  }
}

/** A chain of `count` entries, one a minute from `start`, hashed as the audit log hashes them. */
export function chainOf(
  municipality: string,
  count: number,
  start = '2026-01-01T00:00:00.000Z',
): AuditEvent[] {
  const entries: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let sequence = 1; sequence <= count; sequence++) {
    const at = new Date(Date.parse(start) + (sequence - 1) * 60_000).toISOString();
    const unhashed = {
      id: `SIGNAL#s${sequence}#v1`,
      municipality,
      sequence,
      occurredAt: at,
      recordedAt: at,
      action: 'C' as const,
      eventType: 'signal.received' as const,
      outcome: 'success' as const,
      actor: { clientId: 'school-1', role: 'school' as const, organisation: 'De Regenboog; locatie "Noord"' },
      object: { type: 'signal' as const, id: `s${sequence}`, signalId: `s${sequence}`, version: 1 },
      purpose: 'youth-care-access',
      prevHash,
    };
    const entry = { ...unhashed, hash: linkHash<AuditEvent>(unhashed) };
    entries.push(entry);
    prevHash = entry.hash;
  }
  return entries;
}

export class FakeChain implements AuditChainReader {
  reads = 0;
  constructor(
    readonly entriesOf: Map<string, AuditEvent[]>,
    private readonly pageSize = 7,
  ) {}

  async head(municipality: string) {
    const last = this.entriesOf.get(municipality)?.at(-1);
    return last ? { sequence: last.sequence, hash: last.hash } : undefined;
  }

  async entry(municipality: string, sequence: number) {
    this.reads += 1;
    return this.entriesOf.get(municipality)?.find((e) => e.sequence === sequence);
  }

  async *entries(municipality: string, first: number, last: number) {
    const range = (this.entriesOf.get(municipality) ?? []).filter(
      (e) => e.sequence >= first && e.sequence <= last,
    );
    for (let i = 0; i < range.length; i += this.pageSize) yield range.slice(i, i + this.pageSize);
  }
}

export class FakeCheckpoints implements AuditCheckpoints {
  readonly checkpoints = new Map<string, AuditCheckpoint>();
  async readCheckpoint(municipality: string) {
    return this.checkpoints.get(municipality);
  }
}

/** What S3 answers for an upload completed or aborted already. */
const noSuchUpload = (uploadId: string) =>
  Object.assign(new Error(`The specified upload does not exist: ${uploadId}`), { name: 'NoSuchUpload' });

export class FakeExportFiles implements ExportFiles {
  readonly objects = new Map<string, { body: Buffer; mediaType: string }>();
  readonly uploads = new Map<string, { key: string; mediaType: string; parts: Map<number, Buffer> }>();
  readonly aborted: string[] = [];
  private uploadCount = 0;
  failUploadPart?: number;

  async startUpload(key: string, mediaType: string): Promise<string> {
    const id = `upload-${++this.uploadCount}`;
    this.uploads.set(id, { key, mediaType, parts: new Map() });
    return id;
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<UploadedPart> {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.key !== key) throw noSuchUpload(uploadId);
    if (this.failUploadPart === partNumber) {
      this.failUploadPart = undefined;
      throw new Error('S3 unreachable');
    }
    upload.parts.set(partNumber, Buffer.from(body));
    return { partNumber, etag: `"etag-${uploadId}-${partNumber}"` };
  }

  async completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw noSuchUpload(uploadId);
    const bodies = parts.map((p) => {
      const body = upload.parts.get(p.partNumber);
      if (!body || p.etag !== `"etag-${uploadId}-${p.partNumber}"`)
        throw new Error(`part ${p.partNumber} is wrong`);
      return body;
    });
    this.objects.set(key, { body: Buffer.concat(bodies), mediaType: upload.mediaType });
    this.uploads.delete(uploadId);
  }

  async abortUpload(_key: string, uploadId: string): Promise<void> {
    this.aborted.push(uploadId);
    this.uploads.delete(uploadId);
  }

  async put(key: string, body: Buffer | string, mediaType: string): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), mediaType });
  }

  async read(key: string) {
    const object = this.objects.get(key);
    if (!object) throw new Error(`no object ${key}`);
    return Readable.from([object.body]);
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async downloadUrl(key: string, filename: string, seconds: number): Promise<string> {
    return `https://exports.example/${key}?filename=${encodeURIComponent(filename)}&expires=${seconds}`;
  }

  text(key: string): string {
    const object = this.objects.get(key);
    if (!object) throw new Error(`no object ${key}`);
    return object.body.toString('utf8');
  }
}

export class FakeExportQueue implements ExportQueue {
  readonly messages: { exportId: string; clientId: string }[] = [];
  failNext = false;
  async request(message: { exportId: string; clientId: string }): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('queue unreachable');
    }
    this.messages.push({ ...message });
  }
}
