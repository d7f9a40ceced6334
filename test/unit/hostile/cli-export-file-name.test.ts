import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChain, manifestOf, ndjsonOf } from '../../helpers/audit-export-fixtures.js';

// Hostile probe of `npm run schakel -- audit export`: the file name comes from the API's manifest
// (`manifest.file.name`, any string in the schema). safeFileName() only refuses names with a path
// in them, so a hub (or anything answering at --api-url) could
//  - make the CLI crash with a stack trace: a NUL byte or a name longer than the file system takes
//    fails in download()'s own clean-up (rmSync in the catch, cli/audit-export.ts), uncaught;
//  - overwrite any file in the output folder (default: the working directory): `package.json`,
//    `.bashrc`, `.npmrc`;
//  - put terminal control sequences and line breaks into what the CLI prints.
// An export's file is always named `audit-<code>-<from>-<to>.<format>` (exportFileName).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const DIR = mkdtempSync(join(tmpdir(), 'schakel-cli-probe-'));

const EVENTS = auditChain(3);
const NDJSON = ndjsonOf(EVENTS);
let fileName = 'audit-0363-20260101T000000Z-20270101T000000Z.ndjson';
let url = '';

const server: Server = createServer(async (request, response) => {
  for await (const _chunk of request) {
    // drained
  }
  const path = request.url ?? '';
  const json = (status: number, body: unknown) => {
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (path.startsWith('/files/')) {
    response.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    response.end(NDJSON);
  } else if (request.method === 'POST') {
    json(202, { id: '01938f4e-7a1b-7c64-8a2f-1c8c9eab2d02', status: 'pending' });
  } else {
    json(200, {
      id: '01938f4e-7a1b-7c64-8a2f-1c8c9eab2d02',
      status: 'done',
      municipality: '0363',
      from: '2026-01-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
      format: 'ndjson',
      createdAt: '2027-01-02T10:00:00Z',
      updatedAt: '2027-01-02T10:00:05Z',
      eventCount: EVENTS.length,
      manifest: manifestOf(EVENTS, NDJSON, { name: fileName }),
      downloadUrl: `${url}/files/file?X-Amz-Signature=abc`,
      manifestUrl: `${url}/files/manifest.json`,
      expiresAt: '2027-01-02T11:00:00Z',
    });
  }
});

beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(DIR, { recursive: true, force: true });
});

function exportInto(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const { SCHAKEL_API_KEY: _developersKey, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [
        TSX,
        'cli/schakel.ts',
        'audit',
        'export',
        '--municipality',
        '0363',
        '--from',
        '2026-01-01T00:00:00Z',
        '--to',
        '2027-01-01T00:00:00Z',
        '--out',
        out,
        '--poll-interval',
        '20',
        '--api-url',
        url,
        '--api-key',
        'k'.repeat(40),
      ],
      { cwd: ROOT, env: { ...env, SCHAKEL_DATA_DIR: join(DIR, 'no-hub') } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?/;

describe('schakel audit export with a hostile file name in the manifest', () => {
  it.each([
    ['a NUL byte', 'audit-0363\u0000.ndjson'],
    ['a name longer than the file system takes', `audit-${'x'.repeat(300)}.ndjson`],
  ])(
    '%s: exits 1 with a clear message, no stack trace',
    async (_case, name) => {
      fileName = name;
      const out = join(DIR, randomUUID());

      const run = await exportInto(out);

      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(STACK_TRACE);
    },
    30_000,
  );

  it.each([
    ['package.json'],
    ['.bashrc'],
    ['audit.ndjson\nKeten geldig, Chain valid'],
    ['\u001b]0;pwned\u0007audit.ndjson'],
  ])(
    'refuses %j, which is no export file name, and leaves the folder as it was',
    async (name) => {
      fileName = name;
      const out = join(DIR, randomUUID());
      mkdirSync(out);
      writeFileSync(join(out, 'package.json'), '{"keep":true}\n');
      writeFileSync(join(out, '.bashrc'), 'echo keep\n');

      const run = await exportInto(out);

      expect(run.code).toBe(1);
      expect(readFileSync(join(out, 'package.json'), 'utf8')).toBe('{"keep":true}\n');
      expect(readFileSync(join(out, '.bashrc'), 'utf8')).toBe('echo keep\n');
    },
    30_000,
  );
});
