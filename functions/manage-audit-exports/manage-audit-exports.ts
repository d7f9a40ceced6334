import { utcTimestamp } from '../../domain/dates.js';
import type { AuditExport, CreateAuditExport } from '../../schemas/audit-export.js';
import type { Client } from '../../schemas/client.js';
import { actorOf } from '../shared/actor.js';
import {
  ForbiddenError,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationError,
} from '../shared/errors.js';
import { LOG_EVENTS } from '../shared/log-events.js';
import { logEvent } from '../shared/logger.js';
import type { AccessLog } from '../shared/ports/access-log.js';
import type { ExportJob, ExportJobStore, ExportQueue } from '../shared/ports/audit-exports.js';
import type { ExportFiles } from '../shared/ports/export-files.js';
import {
  ACTIVE_EXPORT_WINDOW_MS,
  DOWNLOAD_URL_SECONDS,
  MAX_ACTIVE_EXPORTS,
  municipalityScopeProblems,
  periodProblems,
} from './audit-export-rules.js';

export interface ManageAuditExportsDeps {
  jobs: ExportJobStore;
  queue: ExportQueue;
  files: ExportFiles;
  access: AccessLog;
  now: () => Date;
  /** Time-ordered (UUID v7), so a client's jobs list newest first. */
  newId: () => string;
}

interface Caller {
  client: Client;
  user: string | undefined;
}

/**
 * Starts an export: its audit record, the job, then the message that sets the export function to
 * work. The same request while its export is under way answers that export; a client with
 * MAX_ACTIVE_EXPORTS under way waits (one municipality cannot starve the others' exports).
 */
export async function createAuditExport(
  deps: ManageAuditExportsDeps,
  input: Caller & { body: CreateAuditExport },
): Promise<AuditExport> {
  const { client, user, body } = input;
  const now = deps.now();
  const scope = municipalityScopeProblems(body, client);
  if (scope.length) throw new ForbiddenError('This client does not export that municipality’s trail.', scope);
  const period = periodProblems(body, now);
  if (period.length) throw new ValidationError(period);
  const at = utcTimestamp(now);
  // Stored as UTC instants: the same period whatever offset the request used.
  const request = {
    municipality: body.municipality,
    from: utcTimestamp(new Date(body.from)),
    to: utcTimestamp(new Date(body.to)),
    format: body.format,
  };
  const recent = await deps.jobs.list(client.clientId, { limit: 25 });
  const active = recent.items.filter(
    (j) =>
      (j.status === 'pending' || j.status === 'running') &&
      now.getTime() - Date.parse(j.updatedAt) < ACTIVE_EXPORT_WINDOW_MS,
  );
  const same = active.find(
    (j) =>
      j.municipality === request.municipality &&
      j.from === request.from &&
      j.to === request.to &&
      j.format === request.format,
  );
  if (same) return toView(same);
  if (active.length >= MAX_ACTIVE_EXPORTS) {
    throw new TooManyRequestsError(
      `This client has ${active.length} exports pending or running; start another when one is done.`,
      60,
    );
  }
  const id = deps.newId();
  const job: ExportJob = {
    id,
    clientId: client.clientId,
    ...request,
    status: 'pending',
    createdAt: at,
    updatedAt: at,
    revision: 1,
  };
  // Recorded first: no export exists, let alone runs, unaudited.
  await deps.access.recordRead({
    id: `EXPORT#${id}`,
    municipality: job.municipality,
    objectType: 'audit-export',
    objectId: id,
    change: {
      eventType: 'audit-export.requested',
      at,
      actor: actorOf(client, user),
      purpose: 'accountability',
      details: { from: job.from, to: job.to, format: job.format },
    },
  });
  await deps.jobs.create(job);
  try {
    await deps.queue.request({ exportId: id, clientId: client.clientId });
  } catch (error) {
    await deps.jobs
      .save({ ...job, status: 'failed', failure: 'could not be queued', revision: 2, updatedAt: at })
      .catch(() => undefined);
    throw new ServiceUnavailableError('the export could not be started', { cause: error });
  }
  logEvent(LOG_EVENTS.auditExportRequested, {
    exportId: id,
    municipality: job.municipality,
    format: job.format,
  });
  return toView(job);
}

export async function listAuditExports(
  deps: ManageAuditExportsDeps,
  input: Caller & { query: { limit: number; cursor?: string | undefined } },
) {
  const page = await deps.jobs.list(input.client.clientId, input.query);
  return { items: page.items.map(toView), ...(page.next ? { next: page.next } : {}) };
}

/**
 * One job; a done one with fresh download links, whose handing out is recorded in the audit
 * first. A job is its client's (and an operator's): anyone else's is "not found".
 */
export async function getAuditExport(
  deps: ManageAuditExportsDeps,
  input: Caller & { id: string },
): Promise<AuditExport> {
  const job = await deps.jobs.get(input.id);
  const { client } = input;
  // The client that started it, while the municipality is still one of its own; or an operator.
  const own =
    job?.clientId === client.clientId &&
    (client.role !== 'municipality' || client.scope.municipalities?.includes(job.municipality));
  if (!job || (client.role !== 'admin' && !own)) throw new NotFoundError();
  const view = toView(job);
  if (job.status !== 'done' || !job.fileKey || !job.manifestKey || !job.manifest) return view;
  const now = deps.now();
  if (job.availableUntil && Date.parse(job.availableUntil) <= now.getTime()) return view;
  await deps.access.recordRead({
    id: deps.newId(),
    municipality: job.municipality,
    objectType: 'audit-export',
    objectId: job.id,
    change: {
      eventType: 'audit-export.downloaded',
      at: utcTimestamp(now),
      actor: actorOf(input.client, input.user),
      purpose: 'accountability',
      details: {
        from: job.manifest.period.from,
        to: job.manifest.period.to,
        eventCount: job.manifest.eventCount,
        sha256: job.manifest.file.sha256,
      },
    },
  });
  const [downloadUrl, manifestUrl] = await Promise.all([
    deps.files.downloadUrl(job.fileKey, job.manifest.file.name, DOWNLOAD_URL_SECONDS),
    deps.files.downloadUrl(job.manifestKey, `${job.manifest.file.name}.manifest.json`, DOWNLOAD_URL_SECONDS),
  ]);
  return {
    ...view,
    downloadUrl,
    manifestUrl,
    expiresAt: utcTimestamp(new Date(now.getTime() + DOWNLOAD_URL_SECONDS * 1000)),
  };
}

function toView(job: ExportJob): AuditExport {
  return {
    id: job.id,
    status: job.status,
    municipality: job.municipality,
    from: job.from,
    to: job.to,
    format: job.format,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.status === 'done' && job.eventCount !== undefined ? { eventCount: job.eventCount } : {}),
    ...(job.status === 'running' && job.progress ? { eventCount: job.progress.eventCount } : {}),
    ...(job.manifest ? { manifest: job.manifest } : {}),
    ...(job.availableUntil ? { availableUntil: job.availableUntil } : {}),
    ...(job.failure ? { failure: job.failure } : {}),
  };
}
