import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GENESIS_HASH } from '../../domain/audit-chain.js';
import { CSV_BOM, csvHeaderLine, csvRow } from '../../domain/audit-csv.js';
import { canonicalJson } from '../../domain/canonical-json.js';
import { utcTimestamp } from '../../domain/dates.js';
import {
  AUDIT_CHAIN_ALGORITHM,
  AUDIT_EVENT_SCHEMA_VERSION,
  type AuditExportManifest,
  type AuditExportMessage,
  MANIFEST_SCHEMA,
} from '../../schemas/audit-export.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type {
  AuditChainReader,
  ExportJob,
  ExportJobStore,
  ExportProgress,
  ExportQueue,
} from '../shared/ports/audit-exports.js';
import type { AuditCheckpoints } from '../shared/ports/audit-retention.js';
import type { ExportFiles } from '../shared/ports/export-files.js';
import { SCHAKEL_VERSION } from '../shared/version.js';

// Writes one export: the municipality's chain entries recorded in the period, in chain order,
// streamed from DynamoDB into a multipart upload a part at a time — never the whole file in
// memory. After each part the job records where it stands, so when the invocation runs short of
// time it hands over to a next one (a new queue message), which continues the same upload.

/** S3 takes parts of at least 5 MiB (all but the last); 8 MiB keeps a year of a city to ~150 parts. */
export const PART_BYTES = 8 * 1024 * 1024;
/**
 * An export ends no later than this long before it is planned: an append in flight then (its
 * `recordedAt` taken, its transaction not yet committed) lands before the end, never after the
 * file was cut — or it would fall between this export and the next. The audit log gives up an
 * append that has not committed within APPEND_DEADLINE_MS (30 s); two minutes leave room besides.
 */
export const SETTLE_MS = 2 * 60_000;
/** Time an invocation keeps for finishing a part and handing over. */
export const HANDOVER_MARGIN_MS = 60_000;
/**
 * Attempts in a row that got nowhere (no part written, no hand-over) before the job is given up
 * as failed. Counted when an attempt starts, so one the runtime kills (timeout, memory) counts
 * too; kept below the queue's maxReceiveCount, so the job is marked failed before its message
 * moves to the dead-letter queue.
 */
export const MAX_FAILURES = 3;
/** Times the chain may change under an export (retention removing its start) before it gives up. */
export const MAX_REPLANS = 3;
/** A file continued over invocations is read back for its digest: room kept for that. */
export const FINISH_MARGIN_MS = 5 * 60_000;

export interface ExportAuditDeps {
  jobs: ExportJobStore;
  chain: AuditChainReader;
  checkpoints: AuditCheckpoints;
  files: ExportFiles;
  queue: ExportQueue;
  now: () => Date;
  /** Days the bucket keeps a file (its lifecycle rule). */
  fileRetentionDays: number;
  /** Part size (S3 takes at least 5 MiB but for the last part). */
  partBytes?: number;
  /** SETTLE_MS unless set (local mode: seconds). */
  settleMs?: number;
}

export interface Invocation {
  /** Unique per invocation: the job's lease names it. */
  id: string;
  remainingMs: () => number;
}

export type ExportOutcome = 'done' | 'handed-over' | 'replanned' | 'failed' | 'skipped';

/** The chain no longer is what the export planned on: an entry gone or not linking on. */
class ChainMovedError extends Error {
  override name = 'ChainMovedError';
}

const MEDIA_TYPES = { ndjson: 'application/x-ndjson', csv: 'text/csv; charset=utf-8' } as const;

export function exportFileName(job: Pick<ExportJob, 'municipality' | 'from' | 'to' | 'format'>): string {
  const compact = (instant: string) => utcTimestamp(new Date(instant)).replace(/[-:]|\.\d+/g, '');
  return `audit-${job.municipality}-${compact(job.from)}-${compact(job.to)}.${job.format}`;
}

export async function exportAudit(
  deps: ExportAuditDeps,
  message: AuditExportMessage,
  invocation: Invocation,
): Promise<ExportOutcome> {
  let job = await deps.jobs.get(message.exportId);
  if (!job || job.status === 'done' || job.status === 'failed') return 'skipped';
  const now = deps.now();
  // Another invocation holds it (a message delivered twice): that one finishes or, if it dies,
  // its own message comes back after the lease has run out.
  if (job.lease && job.lease.owner !== invocation.id && Date.parse(job.lease.until) > now.getTime()) {
    return 'skipped';
  }
  if ((job.failures ?? 0) >= MAX_FAILURES) {
    await giveUp(deps, job, `the export failed ${MAX_FAILURES} times; start a new one`);
    return 'failed';
  }
  const claimed = await save(deps, job, {
    status: 'running',
    lease: { owner: invocation.id, until: new Date(now.getTime() + invocation.remainingMs()).toISOString() },
    failures: (job.failures ?? 0) + 1,
  });
  if (!claimed) return 'skipped';
  job = claimed;
  try {
    return await run(deps, job, invocation);
  } catch (error) {
    if (error instanceof ChainMovedError) return replan(deps, job.id, invocation, error.message);
    // Thrown (the attempt was counted when it started): the message comes back after its
    // visibility timeout and the job goes on from its last part, or is given up.
    const latest = await deps.jobs.get(job.id);
    if (latest && latest.lease?.owner === invocation.id) {
      const { lease: _released, ...rest } = latest;
      await save(deps, rest, {}).catch(() => undefined);
    }
    throw error;
  }
}

async function run(
  deps: ExportAuditDeps,
  planned: ExportJob,
  invocation: Invocation,
): Promise<ExportOutcome> {
  let job = planned;
  const fresh = !job.progress;
  if (!job.progress) {
    const saved = await save(deps, job, { progress: await plan(deps, job) });
    if (!saved) return 'skipped';
    job = saved;
  }
  const progress = { ...(job.progress as ExportProgress) };
  // A file continued from an earlier invocation is read back for its digest; one written here in
  // a single run is hashed as it goes.
  const digest: Hash | undefined = fresh && progress.eventCount === 0 ? createHash('sha256') : undefined;
  if (!digest) progress.continued = true;
  const partBytes = deps.partBytes ?? PART_BYTES;
  let buffer: Buffer[] = [];
  let buffered = 0;
  const write = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    buffer.push(bytes);
    buffered += bytes.length;
    digest?.update(bytes);
  };
  if (job.format === 'csv' && progress.bytes === 0) write(CSV_BOM + csvHeaderLine());

  const flushPart = async () => {
    const body = Buffer.concat(buffer);
    buffer = [];
    buffered = 0;
    progress.uploadId ??= await deps.files.startUpload(progress.key, MEDIA_TYPES[job.format]);
    progress.parts = [
      ...progress.parts,
      await deps.files.uploadPart(progress.key, progress.uploadId, progress.parts.length + 1, body),
    ];
    progress.bytes += body.length;
  };

  if (progress.written) return finish(deps, job, progress, Buffer.alloc(0), undefined);
  for await (const page of deps.chain.entries(
    job.municipality,
    progress.lastSequence + 1,
    progress.endSequence,
  )) {
    for (const entry of page) {
      // Retention may have removed the start of the period since it was planned: an export that
      // skipped the hole would be a file that does not verify.
      if (entry.sequence !== progress.lastSequence + 1 || entry.prevHash !== progress.lastHash) {
        throw new ChainMovedError(`the trail did not link on at sequence ${progress.lastSequence + 1}`);
      }
      write(job.format === 'ndjson' ? `${canonicalJson(entry)}\n` : csvRow(entry));
      progress.firstSequence ??= entry.sequence;
      progress.lastSequence = entry.sequence;
      progress.lastHash = entry.hash;
      progress.eventCount += 1;
      if (buffered < partBytes) continue;
      await flushPart();
      // A part written: this attempt got somewhere.
      const saved = await save(deps, job, { progress: { ...progress }, failures: 0 });
      if (!saved) return 'skipped';
      job = saved;
      logEvent(LOG_EVENTS.auditExportProgress, {
        exportId: job.id,
        eventCount: progress.eventCount,
        parts: progress.parts.length,
      });
      if (invocation.remainingMs() < HANDOVER_MARGIN_MS && progress.lastSequence < progress.endSequence) {
        return handOver(deps, job);
      }
    }
  }
  if (progress.lastSequence !== progress.endSequence) {
    throw new ChainMovedError(`the trail ended at ${progress.lastSequence}, not ${progress.endSequence}`);
  }
  // Read back for its digest in a fresh invocation when little time is left: the rest goes up as
  // the last part first (a last part may be small).
  if (progress.continued && invocation.remainingMs() < FINISH_MARGIN_MS && buffered > 0) {
    await flushPart();
    const saved = await save(deps, job, { progress: { ...progress, written: true }, failures: 0 });
    if (!saved) return 'skipped';
    return handOver(deps, saved);
  }
  return finish(deps, job, progress, Buffer.concat(buffer), digest);
}

/** Which entries the file holds: found by when they were recorded, which never goes back. */
async function plan(deps: ExportAuditDeps, job: ExportJob): Promise<ExportProgress> {
  const { municipality } = job;
  const plannedAt = deps.now().getTime();
  const until = new Date(
    Math.max(Date.parse(job.from), Math.min(Date.parse(job.to), plannedAt - (deps.settleMs ?? SETTLE_MS))),
  ).toISOString();
  const [head, checkpoint] = await Promise.all([
    deps.chain.head(municipality),
    deps.checkpoints.readCheckpoint(municipality),
  ]);
  const last = head?.sequence ?? 0;
  const lowest = (checkpoint?.lastSequence ?? 0) + 1;
  const first = await firstRecordedAtOrAfter(deps.chain, municipality, job.from, lowest, last);
  const end = (await firstRecordedAtOrAfter(deps.chain, municipality, until, first, last)) - 1;
  const afterSequence = first - 1;
  let previousHash = GENESIS_HASH;
  if (checkpoint && afterSequence === checkpoint.lastSequence) previousHash = checkpoint.lastHash;
  else if (afterSequence > 0) {
    const before = await deps.chain.entry(municipality, afterSequence);
    if (!before) throw new Error(`audit chain ${municipality} lacks entry ${afterSequence}`);
    previousHash = before.hash;
  }
  return {
    key: `audit-exports/${municipality}/${job.id}/${exportFileName(job)}`,
    parts: [],
    afterSequence,
    previousHash,
    endSequence: end,
    until,
    lastSequence: afterSequence,
    lastHash: previousHash,
    eventCount: 0,
    bytes: 0,
    continued: false,
    ...(checkpoint && afterSequence === checkpoint.lastSequence
      ? {
          retentionCheckpoint: {
            removedThroughYear: checkpoint.removedThroughYear,
            lastSequence: checkpoint.lastSequence,
            lastHash: checkpoint.lastHash,
          },
        }
      : {}),
  };
}

/**
 * The lowest sequence in `low…high` recorded at or after `instant` (high + 1 if none), by binary
 * search on the chain's sort key: about 20 reads for a million entries. An entry removed by
 * retention meanwhile counts as before.
 */
export async function firstRecordedAtOrAfter(
  chain: AuditChainReader,
  municipality: string,
  instant: string,
  low: number,
  high: number,
): Promise<number> {
  const at = Date.parse(instant);
  let lo = low;
  let hi = high + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const entry = await chain.entry(municipality, mid);
    if (entry && Date.parse(entry.recordedAt) >= at) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

async function finish(
  deps: ExportAuditDeps,
  running: ExportJob,
  progress: ExportProgress,
  rest: Buffer,
  digest: Hash | undefined,
): Promise<ExportOutcome> {
  let job = running;
  const mediaType = MEDIA_TYPES[job.format];
  if (progress.uploadId) {
    const { uploadId } = progress;
    const parts = [...progress.parts];
    try {
      if (rest.length > 0)
        parts.push(await deps.files.uploadPart(progress.key, uploadId, parts.length + 1, rest));
      await deps.files.completeUpload(progress.key, uploadId, parts);
    } catch (error) {
      // Completed by an attempt that died before it saved the job: the file is there.
      if ((error as Error).name !== 'NoSuchUpload' || !(await deps.files.exists(progress.key))) throw error;
    }
  } else {
    await deps.files.put(progress.key, rest, mediaType);
  }
  const bytes = progress.bytes + rest.length;
  const sha256 = digest ? digest.digest('hex') : await sha256Of(await deps.files.read(progress.key));
  const name = progress.key.slice(progress.key.lastIndexOf('/') + 1);
  const now = deps.now();
  const manifest: AuditExportManifest = {
    manifestSchema: MANIFEST_SCHEMA,
    exportId: job.id,
    municipality: job.municipality,
    period: { from: job.from, to: progress.until, basis: 'recordedAt' },
    format: job.format,
    file: { name, sha256, bytes, mediaType },
    eventCount: progress.eventCount,
    afterSequence: progress.afterSequence,
    ...(progress.firstSequence !== undefined ? { firstSequence: progress.firstSequence } : {}),
    lastSequence: progress.lastSequence,
    previousHash: progress.previousHash,
    lastHash: progress.lastHash,
    ...(progress.retentionCheckpoint ? { retentionCheckpoint: progress.retentionCheckpoint } : {}),
    algorithm: AUDIT_CHAIN_ALGORITHM,
    eventSchemaVersion: AUDIT_EVENT_SCHEMA_VERSION,
    generator: { name: 'schakel', version: SCHAKEL_VERSION },
    generatedAt: utcTimestamp(now),
  };
  const manifestKey = `${progress.key}.manifest.json`;
  await deps.files.put(manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
  const { lease: _released, progress: _done, ...settled } = job;
  const saved = await save(deps, settled, {
    status: 'done',
    eventCount: progress.eventCount,
    manifest,
    manifestKey,
    fileKey: progress.key,
    availableUntil: new Date(now.getTime() + deps.fileRetentionDays * 86_400_000).toISOString(),
  });
  if (!saved) return 'skipped';
  job = saved;
  logEvent(LOG_EVENTS.auditExportDone, {
    exportId: job.id,
    municipality: job.municipality,
    eventCount: progress.eventCount,
    bytes,
    continued: progress.continued,
  });
  return 'done';
}

async function handOver(deps: ExportAuditDeps, job: ExportJob): Promise<ExportOutcome> {
  const { lease: _released, ...rest } = job;
  const saved = await save(deps, rest, { failures: 0 });
  if (!saved) return 'skipped';
  // Saved first: if this send fails, the message that started this invocation fails with it and
  // comes back, and the next invocation continues from the same place.
  await deps.queue.request({ exportId: job.id, clientId: job.clientId });
  logEvent(LOG_EVENTS.auditExportHandedOver, {
    exportId: job.id,
    eventCount: job.progress?.eventCount ?? 0,
  });
  return 'handed-over';
}

/**
 * Starts the job over from a new plan (the chain changed under it: retention removed the start
 * of the period), in a next invocation; after MAX_REPLANS it is given up.
 */
async function replan(
  deps: ExportAuditDeps,
  id: string,
  invocation: Invocation,
  why: string,
): Promise<ExportOutcome> {
  const job = await deps.jobs.get(id);
  if (!job || job.lease?.owner !== invocation.id) return 'skipped';
  if ((job.replans ?? 0) >= MAX_REPLANS) {
    await giveUp(deps, job, `${why}; the trail kept changing during the export, start a new one`);
    return 'failed';
  }
  if (job.progress?.uploadId) {
    await deps.files.abortUpload(job.progress.key, job.progress.uploadId).catch(() => undefined);
  }
  const { lease: _released, progress: _dropped, ...rest } = job;
  const saved = await save(deps, rest, { replans: (job.replans ?? 0) + 1, failures: 0 });
  if (!saved) return 'skipped';
  await deps.queue.request({ exportId: job.id, clientId: job.clientId });
  logEvent(LOG_EVENTS.auditExportReplanned, { exportId: job.id, replans: saved.replans ?? 0 }, 'warn');
  return 'replanned';
}

async function giveUp(deps: ExportAuditDeps, job: ExportJob, failure: string): Promise<void> {
  if (job.progress?.uploadId) {
    await deps.files.abortUpload(job.progress.key, job.progress.uploadId).catch(() => undefined);
  }
  const { lease: _released, progress: _dropped, ...rest } = job;
  await save(deps, rest, { status: 'failed', failure });
  logEvent(LOG_EVENTS.auditExportFailed, { exportId: job.id, failures: job.failures ?? 0 }, 'error');
}

/** The job with `changes`, saved over the revision it was read at; undefined when that lost. */
async function save(
  deps: ExportAuditDeps,
  job: ExportJob,
  changes: Partial<ExportJob>,
): Promise<ExportJob | undefined> {
  const next: ExportJob = {
    ...job,
    ...changes,
    revision: job.revision + 1,
    updatedAt: utcTimestamp(deps.now()),
  };
  return (await deps.jobs.save(next)) ? next : undefined;
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
