import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import * as z from 'zod/mini';
import {
  type AuditedLink,
  type ChainVerification,
  ChainVerifier,
  GENESIS_HASH,
  hashesToItself,
} from '../domain/audit-chain.js';
import {
  CSV_COLUMNS,
  CsvFormatError,
  csvCells,
  isCsvAuditEvent,
  isCsvHeader,
  parseCsvRecord,
} from '../domain/audit-csv.js';
import {
  chainProblems,
  type EntryReason,
  type ExportProblem,
  parseEntry,
  verifyExport,
} from '../domain/audit-verify.js';
import { RecordSplitter, RecordTooLongError, type TextRecord } from '../domain/text-records.js';
import {
  type AuditExportFormat,
  type AuditExportManifest,
  AuditExportManifestSchema,
} from '../schemas/audit-export.js';
import { UsageError } from './cli-errors.js';

// Verifies an export file as a stream: the bytes are hashed as they are read and the events fed
// to a ChainVerifier one at a time, so a file of millions of events needs no more memory than one.

/** Longer than any event's line (a few KB) by far; a line beyond it is no event, and not buffered. */
const MAX_RECORD_LENGTH = 1_000_000;
export const PROGRESS_EVERY = 100_000;

/** Where the chain in the file is taken to start, and on whose word. */
export type Anchor =
  | { by: 'manifest'; sequence: number; hash: string }
  | { by: 'previous'; sequence: number; hash: string }
  /** No manifest: the file's first event is trusted to be where it says (genesis at sequence 1). */
  | { by: 'first-event' };

export interface FileVerification {
  valid: boolean;
  file: string;
  format: AuditExportFormat;
  sha256: string;
  bytes: number;
  /** Where the verifier started: the sequence before the first event and its hash. */
  startAfter: { sequence: number; hash: string };
  anchoredBy: Anchor['by'];
  eventCount: number;
  firstSequence?: number;
  lastSequence: number;
  lastHash?: string;
  chain: ChainVerification;
  problems: ExportProblem[];
}

export interface VerifyFileOptions {
  manifest?: AuditExportManifest | undefined;
  previous?: AuditExportManifest | undefined;
  onProgress?: ((events: number) => void) | undefined;
}

function formatByName(path: string): AuditExportFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  return undefined;
}

/** Feeds the records of an export file to a ChainVerifier. */
class EntryFeed {
  readonly #format: AuditExportFormat;
  readonly #splitter: RecordSplitter;
  readonly #anchor: Anchor;
  readonly #onProgress: ((events: number) => void) | undefined;
  #verifier: ChainVerifier | undefined;
  #startAfter = { sequence: 0, hash: GENESIS_HASH };
  #sawHeader = false;
  #entries = 0;

  constructor(format: AuditExportFormat, anchor: Anchor, onProgress?: (events: number) => void) {
    this.#format = format;
    this.#anchor = anchor;
    this.#onProgress = onProgress;
    this.#splitter = new RecordSplitter({ quoted: format === 'csv', maxLength: MAX_RECORD_LENGTH });
  }

  get done(): boolean {
    return this.#verifier?.broken === true;
  }

  push(text: string): void {
    this.#records(() => this.#splitter.push(text));
  }

  end(): { verification: ChainVerification; startAfter: { sequence: number; hash: string } } {
    this.#records(() => this.#splitter.end());
    if (this.#format === 'csv' && !this.#sawHeader) this.#reject('csv-header', 1);
    return { verification: this.#verifierFor(undefined).result(), startAfter: this.#startAfter };
  }

  #records(take: () => TextRecord[]): void {
    if (this.done) return;
    try {
      for (const record of take()) {
        this.#record(record);
        if (this.done) return;
      }
    } catch (error) {
      if (!(error instanceof RecordTooLongError)) throw error;
      this.#reject('too-long', error.line);
    }
  }

  #record({ text, line }: TextRecord): void {
    if (this.#format === 'csv' && !this.#sawHeader) {
      this.#sawHeader = true;
      if (!isCsvHeader(text)) this.#reject('csv-header', line);
      return;
    }
    const read: ReadEntry = this.#format === 'csv' ? csvEntry(text) : parseEntry(text);
    if ('reason' in read) {
      this.#reject(read.reason, line);
      return;
    }
    const verifier = this.#verifierFor(read.entry);
    // A changed JSON column shows as a broken link, which says more than a row that disagrees.
    if (read.rowProblem && hashesToItself(read.entry)) {
      this.#reject(read.rowProblem, line);
      return;
    }
    verifier.add(read.entry, line);
    this.#entries += 1;
    if (this.#entries % PROGRESS_EVERY === 0) this.#onProgress?.(this.#entries);
  }

  #reject(reason: EntryReason, line: number): void {
    const problem =
      reason === 'csv-row-changed' || reason === 'not-an-audit-event' ? 'row-mismatch' : 'malformed-entry';
    this.#verifierFor(undefined).reject(problem, reason, line);
  }

  #verifierFor(first: AuditedLink | undefined): ChainVerifier {
    if (this.#verifier) return this.#verifier;
    if (this.#anchor.by !== 'first-event') {
      this.#startAfter = { sequence: this.#anchor.sequence, hash: this.#anchor.hash };
    } else if (first && first.sequence > 1) {
      this.#startAfter = { sequence: first.sequence - 1, hash: first.prevHash };
    }
    this.#verifier = new ChainVerifier(this.#startAfter);
    return this.#verifier;
  }
}

/** An entry read from a record; from a CSV row, with what is wrong with its readable columns. */
type ReadEntry = { reason: EntryReason } | { entry: AuditedLink; rowProblem?: EntryReason | undefined };

/** The entry in a CSV row's last column, and whether the readable columns still agree with it. */
function csvEntry(text: string): ReadEntry {
  let fields: string[];
  try {
    fields = parseCsvRecord(text);
  } catch (error) {
    if (!(error instanceof CsvFormatError)) throw error;
    return { reason: 'csv-quoting' };
  }
  if (fields.length !== CSV_COLUMNS.length) return { reason: 'csv-columns' };
  const parsed = parseEntry(fields.at(-1) as string);
  if ('reason' in parsed) return parsed;
  return { entry: parsed.entry, rowProblem: readableColumnsProblem(fields, parsed.entry) };
}

/** Whether a CSV row's readable columns are still what its event's JSON makes of them. */
function readableColumnsProblem(fields: readonly string[], entry: AuditedLink): EntryReason | undefined {
  if (!isCsvAuditEvent(entry)) return 'not-an-audit-event';
  let expected: string[];
  try {
    expected = csvCells(entry);
  } catch {
    return 'not-an-audit-event';
  }
  const readable = expected.length - 1;
  for (let i = 0; i < readable; i++) if (fields[i] !== expected[i]) return 'csv-row-changed';
  return undefined;
}

/**
 * Verifies an export file: against its manifest when given (and the previous export's manifest,
 * to see the two join); with only a previous manifest, from where that one ended; with neither,
 * from the file's first event on.
 */
export async function verifyFile(path: string, options: VerifyFileOptions = {}): Promise<FileVerification> {
  const { manifest, previous } = options;
  const anchor: Anchor = manifest
    ? { by: 'manifest', sequence: manifest.afterSequence, hash: manifest.previousHash }
    : previous
      ? { by: 'previous', sequence: previous.lastSequence, hash: previous.lastHash }
      : { by: 'first-event' };
  const digest = createHash('sha256');
  let bytes = 0;
  // The BOM is kept: it tells a CSV from NDJSON when the name does not.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let format = formatByName(path) ?? manifest?.format;
  let feed: EntryFeed | undefined;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    digest.update(buffer);
    bytes += buffer.length;
    if (feed?.done) continue;
    const text = decoder.decode(buffer, { stream: true });
    format ??= text.startsWith('\uFEFF') ? 'csv' : 'ndjson';
    feed ??= new EntryFeed(format, anchor, options.onProgress);
    feed.push(text);
  }
  format ??= 'ndjson';
  feed ??= new EntryFeed(format, anchor, options.onProgress);
  if (!feed.done) feed.push(decoder.decode());
  const { verification, startAfter } = feed.end();
  const sha256 = digest.digest('hex');
  const problems = manifest
    ? verifyExport({ manifest, fileSha256: sha256, fileBytes: bytes, verification, previous })
    : chainProblems(verification, startAfter.sequence);
  const count = verification.count;
  const lastHash =
    verification.valid || verification.problem === 'version-gap' ? verification.lastHash : undefined;
  return {
    valid: problems.length === 0,
    file: path,
    format,
    sha256,
    bytes,
    startAfter,
    anchoredBy: anchor.by,
    eventCount: count,
    ...(count > 0 ? { firstSequence: startAfter.sequence + 1 } : {}),
    lastSequence: startAfter.sequence + count,
    ...(lastHash ? { lastHash } : {}),
    chain: verification,
    problems,
  };
}

/** The manifest beside an export: `<file>.manifest.json`, else `<name without extension>.manifest.json`. */
export function manifestBeside(path: string): string | undefined {
  const candidates = [
    `${path}.manifest.json`,
    join(dirname(path), `${basename(path, extname(path))}.manifest.json`),
  ];
  return candidates.find((candidate) => existsSync(candidate));
}

/**
 * The manifest as an archive reads it: a municipality merged away since the export is off the
 * current CBS list, and its old exports must still verify.
 */
const ArchivedManifestSchema = z.extend(AuditExportManifestSchema, {
  municipality: z.string().check(z.regex(/^\d{4}$/, { error: 'must be a 4-digit CBS municipality code' })),
});

/** Reads and validates a manifest; what is wrong with it is a usage error, named in full. */
/** A manifest is about a kilobyte; anything near this is no manifest (and /dev/zero never ends). */
const MAX_MANIFEST_BYTES = 1024 * 1024;

export function readManifest(path: string): AuditExportManifest {
  let raw: unknown;
  // A plain file of a manifest's size: a FIFO or a device would block or never end.
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UsageError(`manifest ${path} is not a file / manifest is geen bestand`);
    size = stat.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`manifest ${path} does not exist / manifest bestaat niet`);
  }
  if (size > MAX_MANIFEST_BYTES) {
    throw new UsageError(`manifest ${path} is larger than a manifest can be / te groot voor een manifest`);
  }
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      missing
        ? `manifest ${path} does not exist / manifest bestaat niet`
        : `manifest ${path} is not JSON / manifest is geen JSON`,
    );
  }
  const result = ArchivedManifestSchema.safeParse(raw);
  if (!result.success) {
    throw new UsageError(
      `${path} is not an audit export manifest / is geen manifest van een auditexport:\n${z.prettifyError(result.error)}`,
    );
  }
  return result.data;
}

export function assertReadableFile(path: string): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new UsageError(`${path} does not exist / bestand bestaat niet`);
  }
  if (!isFile) throw new UsageError(`${path} is not a file / is geen bestand`);
}
