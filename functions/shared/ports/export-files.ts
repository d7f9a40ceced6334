import type { Readable } from 'node:stream';
import type { UploadedPart } from './audit-exports.js';

/** The export bucket: files written in parts, read back, and handed out through short-lived links. */
export interface ExportFiles {
  startUpload(key: string, mediaType: string): Promise<string>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<UploadedPart>;
  completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** A whole small object in one request (a manifest, or a file that fits one part). */
  put(key: string, body: Buffer | string, mediaType: string): Promise<void>;
  read(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** A pre-signed GET of the object, valid for `seconds`, saved under `filename`. */
  downloadUrl(key: string, filename: string, seconds: number): Promise<string>;
}
