import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_BOM } from '../../domain/audit-csv.js';
import { AuditPageSchema } from '../../schemas/audit-event.js';
import { type AuditExport, AuditExportSchema } from '../../schemas/audit-export.js';
import { ProblemSchema } from '../../schemas/problem.js';
import { referralSubmission } from '../helpers/factories.js';
import { call, eventually, municipality, school } from './api-client.js';

// An audit export over HTTP against local mode, checked the way a municipality would: download
// the file and its manifest through the pre-signed links, run `npm run schakel -- audit verify`
// on them, break the file and see the verifier name where.

const run = promisify(execFile);
const MUNICIPALITY = '0534';
const dir = mkdtempSync(join(tmpdir(), 'schakel-export-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = () => municipality(MUNICIPALITY).apiKey;

async function startExport(body: Record<string, unknown>): Promise<AuditExport> {
  const answer = await call('POST', '/v1/audit-exports', { apiKey: key(), body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const job = AuditExportSchema.parse(answer.body);
  expect(answer.headers.get('location')).toBe(`/v1/audit-exports/${job.id}`);
  return job;
}

async function finished(id: string): Promise<AuditExport> {
  return eventually(async () => {
    const answer = await call('GET', `/v1/audit-exports/${id}`, { apiKey: key() });
    expect(answer.status).toBe(200);
    const job = AuditExportSchema.parse(answer.body);
    expect(job.status).not.toBe('failed');
    return job.status === 'done' ? job : undefined;
  }, 60_000);
}

/** Downloads file and manifest through the links, as `audit export` does; answers the file's path. */
async function download(job: AuditExport): Promise<string> {
  const name = job.manifest?.file.name as string;
  const file = join(dir, `${job.id}-${name}`);
  writeFileSync(file, Buffer.from(await (await fetch(job.downloadUrl as string)).arrayBuffer()));
  const manifest = await (await fetch(job.manifestUrl as string)).text();
  writeFileSync(`${file}.manifest.json`, manifest);
  return file;
}

async function verify(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'cli/schakel.ts', 'audit', 'verify', ...args], {
      cwd: process.cwd(),
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('audit export through local mode', () => {
  it('downloads an export that verifies, fails verification naming the sequence when one byte changes or a line goes, and joins the next export', async () => {
    const sourceId = `lvs-export-${randomUUID()}`;
    const submitted = await call('POST', '/v1/signals', {
      apiKey: school().apiKey,
      body: referralSubmission({
        sourceId,
        pupil: { ...referralSubmission().pupil, municipality: MUNICIPALITY },
      }),
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const signalId = (submitted.body as { id: string }).id;
    // The signal's change in the trail, and past the export's settling time (five seconds locally).
    await eventually(async () => {
      const answer = await call('GET', `/v1/audit-events?municipality=${MUNICIPALITY}&limit=100`, {
        apiKey: key(),
      });
      const page = AuditPageSchema.parse(answer.body);
      return page.items.some((e) => e.object.signalId === signalId) ? true : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 6_000));

    const first = await finished(
      (
        await startExport({
          municipality: MUNICIPALITY,
          from: '2026-01-01T00:00:00Z',
          to: '2027-01-01T00:00:00Z',
          format: 'ndjson',
        })
      ).id,
    );
    expect(first.expiresAt).toBeDefined();
    const file = await download(first);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(signalId);

    const valid = await verify(file);
    expect(valid.code, valid.output).toBe(0);
    expect(valid.output).toContain('Chain valid');

    // One byte of one event changed: the verifier names that event's sequence.
    const lines = text.trimEnd().split('\n');
    const target = lines.findIndex((l) => l.includes(signalId));
    const sequence = (JSON.parse(lines[target] as string) as { sequence: number }).sequence;
    const tampered = join(dir, 'tampered.ndjson');
    // The first mention of the signal is in that line; its last character flipped.
    const flipped = signalId.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    writeFileSync(tampered, text.replace(signalId, flipped));
    const changed = await verify(tampered, '--manifest', `${file}.manifest.json`);
    expect(changed.code).toBe(1);
    expect(changed.output).toContain(`Chain invalid from sequence ${sequence}\n`);
    expect(changed.output).toContain(`Keten ongeldig vanaf volgnummer ${sequence} `);

    // One line removed: the next line's sequence is named.
    const shortened = join(dir, 'shortened.ndjson');
    writeFileSync(shortened, `${lines.filter((_, i) => i !== target).join('\n')}\n`);
    const removed = await verify(shortened, '--manifest', `${file}.manifest.json`);
    expect(removed.code).toBe(1);
    expect(removed.output).toContain(`Chain invalid from sequence ${sequence + 1}\n`);

    // The next export starts where the first ended and continues it without a gap.
    const second = await finished(
      (
        await startExport({
          municipality: MUNICIPALITY,
          from: first.manifest?.period.to,
          to: '2027-01-01T00:00:00Z',
          format: 'csv',
        })
      ).id,
    );
    expect(second.manifest?.afterSequence).toBe(first.manifest?.lastSequence);
    const csv = await download(second);
    expect(readFileSync(csv, 'utf8').startsWith(`${CSV_BOM}Volgnummer;`)).toBe(true);
    const joined = await verify(csv, '--previous', `${file}.manifest.json`);
    expect(joined.code, joined.output).toBe(0);

    // Requesting and downloading were recorded in the trail itself.
    await eventually(async () => {
      const answer = await call(
        'GET',
        `/v1/audit-events?municipality=${MUNICIPALITY}&limit=100&from=2026-01-01T00:00:00Z`,
        { apiKey: key() },
      );
      let page = AuditPageSchema.parse(answer.body);
      const seen = [...page.items];
      while (page.next) {
        const next = await call(
          'GET',
          `/v1/audit-events?municipality=${MUNICIPALITY}&limit=100&cursor=${page.next}`,
          { apiKey: key() },
        );
        page = AuditPageSchema.parse(next.body);
        seen.push(...page.items);
      }
      const about = seen.filter((e) => e.object.id === second.id).map((e) => e.eventType);
      return about.includes('audit-export.requested') && about.includes('audit-export.downloaded')
        ? true
        : undefined;
    }, 60_000);
  }, 180_000);

  it('refuses a bad period and another municipality, and hides another client’s export', async () => {
    const bad = await call('POST', '/v1/audit-exports', {
      apiKey: key(),
      body: {
        municipality: MUNICIPALITY,
        from: '2026-06-01T00:00:00Z',
        to: '2026-01-01T00:00:00Z',
        format: 'pdf',
      },
    });
    expect(bad.status).toBe(400);
    expect(
      ProblemSchema.parse(bad.body)
        .invalidParams?.map((p) => p.name)
        .sort(),
    ).toEqual(['format', 'to']);

    const foreign = await call('POST', '/v1/audit-exports', {
      apiKey: key(),
      body: { municipality: '0363', from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z', format: 'csv' },
    });
    expect(foreign.status).toBe(403);
    expect(ProblemSchema.parse(foreign.body).invalidParams?.map((p) => p.name)).toEqual(['municipality']);

    const job = await startExport({
      municipality: MUNICIPALITY,
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
      format: 'csv',
    });
    const other = await call('GET', `/v1/audit-exports/${job.id}`, { apiKey: municipality('0363').apiKey });
    expect(other.status).toBe(404);
  });
});
