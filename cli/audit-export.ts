import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { dataDirFromEnv, type LocalConfig, readLocalConfigIfPresent } from '../local/local-config.js';
import {
  type AuditExport,
  type AuditExportFormat,
  type AuditExportManifest,
  AuditExportSchema,
  CreateAuditExportSchema,
} from '../schemas/audit-export.js';
import { type ApiTarget, answerAs, callApi } from './api-client.js';
import { type Output, runVerify } from './audit-verify.js';
import { CommandFailedError, UsageError } from './cli-errors.js';

// `schakel audit export`: asks the hub for an export of a municipality's trail, waits for the
// job, downloads the file and its manifest side by side and verifies them, the way a
// municipality would check what it receives.

export interface ExportCommandOptions {
  municipality: string;
  from: string;
  to: string;
  format: AuditExportFormat;
  out: string;
  apiUrl?: string;
  apiKey?: string;
  pollInterval: number;
  timeout: number;
}

const AcceptedSchema = z.pick(AuditExportSchema, { id: true, status: true });

/**
 * The API and key: given ones first, the rest from the local hub's `.schakel/local.json` — the
 * first municipality client of the municipality, else the admin client.
 */
export function resolveTarget(
  options: Pick<ExportCommandOptions, 'apiUrl' | 'apiKey' | 'municipality'>,
  local: LocalConfig | undefined = readLocalConfigIfPresent(dataDirFromEnv()),
): ApiTarget {
  if (options.apiUrl && options.apiKey) return { apiUrl: options.apiUrl, apiKey: options.apiKey };
  if (!local) {
    throw new UsageError(
      'give --api-url and --api-key (or SCHAKEL_API_KEY), or start the local hub (npm start) so .schakel/local.json names them',
    );
  }
  const client =
    local.clients.find((c) => c.role === 'municipality' && c.municipalities.includes(options.municipality)) ??
    local.clients.find((c) => c.role === 'admin');
  // An empty SCHAKEL_API_KEY is no key.
  const apiKey = options.apiKey || client?.apiKey;
  if (!apiKey) {
    throw new UsageError(
      `local.json has no client for municipality ${options.municipality} nor an admin; give --api-key`,
    );
  }
  return { apiUrl: options.apiUrl ?? local.apiUrl, apiKey };
}

/**
 * The hub names its files `audit-<code>-<from>-<to>.<format>`; anything else (a path, a dot file,
 * `package.json`, control characters that would rewrite the terminal) is refused, never written.
 */
const EXPORT_FILE_NAME = /^audit-\d{4}-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.(ndjson|csv)$/;

function safeFileName(name: string, job: { municipality: string; format: string }): string {
  if (
    !EXPORT_FILE_NAME.test(name) ||
    !name.startsWith(`audit-${job.municipality}-`) ||
    !name.endsWith(`.${job.format}`)
  ) {
    throw new CommandFailedError(
      `the manifest names the file ${JSON.stringify(name)}, which is no export file name / geen exportbestandsnaam`,
    );
  }
  return name;
}

async function waitForExport(
  target: ApiTarget,
  id: string,
  options: ExportCommandOptions,
  output: Output,
): Promise<AuditExport> {
  const deadline = Date.now() + options.timeout * 60_000;
  let said = '';
  for (;;) {
    const job = answerAs(
      AuditExportSchema,
      await callApi(target, 'GET', `/v1/audit-exports/${encodeURIComponent(id)}`),
      'export',
    );
    const line = `export ${id}: ${job.status}, ${job.eventCount ?? 0} events / gebeurtenissen`;
    if (output.interactive) process.stderr.write(`\r${line}`);
    else if (line !== said) output.stderr(line);
    said = line;
    if (job.status === 'done' || job.status === 'failed') {
      if (output.interactive) process.stderr.write('\n');
      return job;
    }
    if (Date.now() > deadline) {
      throw new CommandFailedError(
        `export ${id} is not done after ${options.timeout} minutes / niet klaar; ask again with GET /v1/audit-exports/${id}`,
      );
    }
    await sleep(options.pollInterval);
  }
}

async function download(url: string, path: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new CommandFailedError(
      `cannot download the export / kan de export niet downloaden: ${(error as Error).message}`,
    );
  }
  if (!response.ok || !response.body) {
    throw new CommandFailedError(
      `downloading the export answered ${response.status} / downloaden gaf ${response.status}${
        response.status === 403 ? ' (the link may have expired: run the export again)' : ''
      }`,
    );
  }
  const partial = `${path}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as ReadableStream), createWriteStream(partial));
    renameSync(partial, path);
  } catch (error) {
    try {
      rmSync(partial, { force: true });
    } catch {
      // Nothing to clean up, or nothing that can be: the message below says what went wrong.
    }
    throw new CommandFailedError(
      `downloading the export broke off / downloaden afgebroken: ${(error as Error).message}`,
    );
  }
}

/** The exit code: 0 exported and verified, 1 the API refused, the job failed or the file did not verify. */
export async function runExport(options: ExportCommandOptions, output: Output): Promise<number> {
  const request = CreateAuditExportSchema.safeParse({
    municipality: options.municipality,
    from: options.from,
    to: options.to,
    format: options.format,
  });
  if (!request.success) throw new UsageError(z.prettifyError(request.error));
  const target = resolveTarget(options);
  const accepted = answerAs(
    AcceptedSchema,
    await callApi(target, 'POST', '/v1/audit-exports', request.data),
    'answer to the request',
  );
  output.stderr(`export ${accepted.id} requested / aangevraagd`);
  const job = await waitForExport(target, accepted.id, options, output);
  if (job.status === 'failed') {
    throw new CommandFailedError(`export ${job.id} failed / mislukt: ${job.failure ?? 'no reason given'}`);
  }
  if (!job.manifest || !job.downloadUrl) {
    throw new CommandFailedError(`export ${job.id} is done but names no file or manifest`);
  }
  const manifest: AuditExportManifest = job.manifest;
  if (manifest.exportId !== job.id || manifest.municipality !== request.data.municipality) {
    throw new CommandFailedError(
      `export ${job.id} came with the manifest of another export / het manifest hoort bij een andere export`,
    );
  }
  const directory = resolve(options.out);
  mkdirSync(directory, { recursive: true });
  const file = join(directory, safeFileName(manifest.file.name, request.data));
  await download(job.downloadUrl, file);
  const manifestPath = `${file}.manifest.json`;
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  output.stderr(`saved / opgeslagen: ${file}\n                    ${manifestPath}`);
  return runVerify(file, { manifest: manifestPath }, output);
}
