import type { AuditEvent } from '../../../schemas/audit-event.js';
import type {
  AuditExportFormat,
  AuditExportManifest,
  AuditExportStatus,
} from '../../../schemas/audit-export.js';

// An export job and where its work stands. The job is the client's (it lists its own); the
// progress is what a following invocation needs to continue the file where the last one stopped.

export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/** Where a running export stands after its last uploaded part: enough to continue it. */
export interface ExportProgress {
  /** The file's key in the bucket. */
  key: string;
  /** The multipart upload, once the first part is up. */
  uploadId?: string;
  parts: UploadedPart[];
  /** The chain range of the file: events afterSequence+1 … endSequence. */
  afterSequence: number;
  previousHash: string;
  endSequence: number;
  /** Where the file ends in time (the requested `to`, or earlier when cut). */
  until: string;
  firstSequence?: number;
  /** The last event in the file so far (afterSequence / previousHash before the first). */
  lastSequence: number;
  lastHash: string;
  eventCount: number;
  bytes: number;
  /** The file was written by more than one invocation: its digest is taken by reading it back. */
  continued: boolean;
  /** Every event is uploaded; what is left is to complete the upload and write the manifest. */
  written?: boolean;
  retentionCheckpoint?: AuditExportManifest['retentionCheckpoint'];
}

export interface ExportJob {
  id: string;
  clientId: string;
  municipality: string;
  from: string;
  to: string;
  format: AuditExportFormat;
  status: AuditExportStatus;
  createdAt: string;
  updatedAt: string;
  /** Raised by every save: a save from a stale read is refused (two workers on one job). */
  revision: number;
  /** Held by the invocation working on the job, until the instant given. */
  lease?: { owner: string; until: string };
  progress?: ExportProgress;
  /** Events in the file, once done. */
  eventCount?: number;
  manifest?: AuditExportManifest;
  fileKey?: string;
  manifestKey?: string;
  /** Attempts in a row that got nowhere: counted when one starts, cleared by a part or a hand-over. */
  failures?: number;
  /** Times the export started over because the chain changed under it. */
  replans?: number;
  /** When the bucket's lifecycle rule removes the file. */
  availableUntil?: string;
  failure?: string;
}

export interface ExportJobPage {
  items: ExportJob[];
  next?: string;
}

export interface ExportJobStore {
  create(job: ExportJob): Promise<void>;
  /** Any job by id: who may see it is the use case's to decide. */
  get(id: string): Promise<ExportJob | undefined>;
  /** The jobs a client started, newest first. */
  list(clientId: string, page: { limit: number; cursor?: string | undefined }): Promise<ExportJobPage>;
  /**
   * Saves `job` if the stored one still has `job.revision - 1`; answers false when another
   * invocation saved in between (the job is no longer this one's to write).
   */
  save(job: ExportJob): Promise<boolean>;
}

/** What an export reads of a municipality's chain. */
export interface AuditChainReader {
  /** The last sequence and hash, or undefined for a chain not started. */
  head(municipality: string): Promise<{ sequence: number; hash: string } | undefined>;
  /** The chain entry at `sequence`, if it is (still) there. */
  entry(municipality: string, sequence: number): Promise<AuditEvent | undefined>;
  /** The entries from `first` to `last` inclusive, in order, a page at a time. */
  entries(municipality: string, first: number, last: number): AsyncIterable<AuditEvent[]>;
}

export interface ExportQueue {
  /** Asks the export function to start or continue a job. */
  request(message: { exportId: string; clientId: string }): Promise<void>;
}
