import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalConfig } from '../../../local/local-config.js';
import type { AuditExport, AuditExportManifest } from '../../../schemas/audit-export.js';
import { auditChain, csvOf, manifestOf, ndjsonOf } from '../../helpers/audit-export-fixtures.js';

// The CLI as an operator runs it: a process with arguments, output and an exit code.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const DIR = mkdtempSync(join(tmpdir(), 'schakel-cli-'));
/** No .schakel/local.json of the developer's own hub: each test writes the one it needs. */
const DATA_DIR = join(DIR, 'data');
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function schakel(...args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const { SCHAKEL_API_KEY: _developersKey, ...env } = process.env;
    const child = spawn(process.execPath, [TSX, 'cli/schakel.ts', ...args], {
      cwd: ROOT,
      env: { ...env, SCHAKEL_DATA_DIR: DATA_DIR },
    });
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

const EVENTS = auditChain(4);
const NDJSON = ndjsonOf(EVENTS);

function exportFiles(name: string, text: string, manifest: AuditExportManifest | undefined): string {
  const folder = join(DIR, randomUUID());
  mkdirSync(folder);
  const path = join(folder, name);
  writeFileSync(path, text);
  if (manifest) writeFileSync(`${path}.manifest.json`, JSON.stringify(manifest));
  return path;
}

describe('schakel audit verify', () => {
  it('exits 0 and says the chain is valid, in Dutch and English', async () => {
    const path = exportFiles('audit.ndjson', NDJSON, manifestOf(EVENTS, NDJSON));

    const run = await schakel('audit', 'verify', path);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `Keten geldig / Chain valid: 4 events, sequences 1–4, last hash ${EVENTS[3]?.hash}`,
    );
    expect(run.stdout).toContain('Bestand en manifest komen overeen / File and manifest agree');
  }, 30_000);

  it('exits 1 and names the first broken sequence in Dutch and English', async () => {
    const path = exportFiles('audit.ndjson', NDJSON.replace('"referral-2"', '"referral-9"'), undefined);

    const run = await schakel('audit', 'verify', path);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Keten ongeldig vanaf volgnummer 2 / Chain invalid from sequence 2');
    expect(run.stdout).toMatch(/NL: volgnummer 2 \(regel 2\): de gebeurtenis geeft niet haar eigen hash/);
    expect(run.stdout).toMatch(/EN: sequence 2 \(line 2\): the event does not hash to its own hash/);
  }, 30_000);

  it('says when it found no manifest and verified the chain alone from genesis', async () => {
    const path = exportFiles('audit.ndjson', NDJSON, undefined);

    const run = await schakel('audit', 'verify', path);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Geen manifest gevonden naast audit.ndjson');
    expect(run.stdout).toContain(
      'No manifest found beside audit.ndjson: verified the chain alone, from the start',
    );
  }, 30_000);

  it('prints a machine-readable result with --json', async () => {
    const csv = csvOf(EVENTS);
    const manifest = manifestOf(EVENTS, csv, { format: 'csv' });
    const path = exportFiles('audit.csv', csv, undefined);
    const manifestPath = join(dirname(path), 'elsewhere.json');
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, eventCount: 3 }));

    const run = await schakel('audit', 'verify', path, '--manifest', manifestPath, '--json');

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      valid: false,
      format: 'csv',
      manifest: manifestPath,
      eventCount: 4,
      problems: [
        {
          code: 'event-count-mismatch',
          message: { nl: 'het bestand bevat 4 gebeurtenissen, het manifest zegt 3', en: expect.any(String) },
        },
      ],
    });
  }, 30_000);

  it.each([
    [
      'a missing file',
      ['audit', 'verify', '/no/such/export.ndjson'],
      /does not exist \/ bestand bestaat niet/,
    ],
    ['no file at all', ['audit', 'verify'], /missing required argument 'file'/],
    ['an unknown option', ['audit', 'verify', 'x', '--frobnicate'], /unknown option/],
    [
      'a missing manifest',
      ['audit', 'verify', __filename, '--manifest', '/no/such.json'],
      /manifest .* does not exist/,
    ],
  ])(
    'exits 2 with a clear message for %s',
    async (_case, args, message) => {
      const run = await schakel(...args);

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    },
    30_000,
  );
});

/** The API of the hub as far as exports go, played by a test server. */
class FakeExportApi {
  readonly server: Server = createServer((request, response) => this.#handle(request, response));
  readonly requests: { method: string; url: string; authorization?: string; body?: unknown }[] = [];
  /** What the next export looks like; tests change it. */
  file = NDJSON;
  events = EVENTS;
  fileName = 'audit-0363-20260101T000000Z-20270101T000000Z.ndjson';
  refuse: { status: number; body: unknown } | undefined;
  fail: string | undefined;
  #polls = 0;
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.file = NDJSON;
    this.events = EVENTS;
    this.fileName = 'audit-0363-20260101T000000Z-20270101T000000Z.ndjson';
    this.refuse = undefined;
    this.fail = undefined;
    this.#polls = 0;
  }

  job(id: string): AuditExport {
    const done = this.#polls > 1;
    const base: AuditExport = {
      id,
      status: this.#polls === 0 ? 'pending' : done ? (this.fail ? 'failed' : 'done') : 'running',
      municipality: '0363',
      from: '2026-01-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
      format: 'ndjson',
      createdAt: '2027-01-02T10:00:00Z',
      updatedAt: '2027-01-02T10:00:05Z',
      eventCount: done ? this.events.length : 2,
    };
    if (!done) return base;
    if (this.fail) return { ...base, failure: this.fail };
    return {
      ...base,
      manifest: { ...manifestOf(this.events, this.file, { name: this.fileName }), exportId: id },
      downloadUrl: `${this.url}/files/${encodeURIComponent(this.fileName)}?X-Amz-Signature=abc`,
      manifestUrl: `${this.url}/files/manifest.json`,
      expiresAt: '2027-01-02T11:00:00Z',
    };
  }

  async #handle(request: IncomingMessage, response: import('node:http').ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const url = request.url ?? '';
    this.requests.push({
      method: request.method ?? '',
      url,
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      ...(text ? { body: JSON.parse(text) } : {}),
    });
    const json = (status: number, body: unknown, type = 'application/json', headers = {}) => {
      response.writeHead(status, { 'Content-Type': type, ...headers });
      response.end(JSON.stringify(body));
    };
    if (url.startsWith('/files/')) {
      response.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      response.end(this.file);
    } else if (this.refuse) {
      json(this.refuse.status, this.refuse.body, 'application/problem+json');
    } else if (request.method === 'POST' && url === '/v1/audit-exports') {
      const id = randomUUID();
      json(202, { id, status: 'pending' }, 'application/json', { Location: `/v1/audit-exports/${id}` });
    } else if (request.method === 'GET' && url.startsWith('/v1/audit-exports/')) {
      const job = this.job(url.slice('/v1/audit-exports/'.length));
      this.#polls += 1;
      json(200, job);
    } else {
      json(404, { title: 'Not Found', status: 404, detail: url }, 'application/problem+json');
    }
  }
}

describe('schakel audit export', () => {
  const api = new FakeExportApi();
  const KEY_0363 = 'k'.repeat(40);
  const ADMIN_KEY = 'a'.repeat(40);

  function writeLocalConfig(clients: LocalConfig['clients']): void {
    mkdirSync(DATA_DIR, { recursive: true });
    const config: LocalConfig = {
      apiUrl: api.url,
      sqsEndpoint: 'http://127.0.0.1:1',
      dynamodbEndpoint: 'http://127.0.0.1:2',
      region: 'eu-central-1',
      deployment: 'local',
      clients,
    };
    writeFileSync(join(DATA_DIR, 'local.json'), JSON.stringify(config));
  }

  const municipalityClient = (code: string, apiKey: string) => ({
    clientId: `gemeente-${code}`,
    name: `Gemeente ${code}`,
    organisation: `Gemeente ${code}`,
    role: 'municipality' as const,
    municipalities: [code],
    apiKey,
  });
  const admin = {
    clientId: 'admin',
    name: 'Beheer',
    organisation: 'Schakel',
    role: 'admin' as const,
    apiKey: ADMIN_KEY,
  };

  beforeAll(() => api.start());
  afterAll(() => new Promise<void>((done) => api.server.close(() => done())));
  beforeEach(() => {
    api.reset();
    rmSync(DATA_DIR, { recursive: true, force: true });
  });

  const exportArgs = (out: string, ...more: string[]) => [
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
    ...more,
  ];

  it('requests the export with the municipality’s key from local.json, downloads it and verifies it', async () => {
    writeLocalConfig([
      municipalityClient('0599', 'x'.repeat(40)),
      admin,
      municipalityClient('0363', KEY_0363),
    ]);
    const out = join(DIR, randomUUID());

    const run = await schakel(...exportArgs(out));

    expect(run.code).toBe(0);
    expect(api.requests[0]).toEqual({
      method: 'POST',
      url: '/v1/audit-exports',
      authorization: `Bearer ${KEY_0363}`,
      body: {
        municipality: '0363',
        from: '2026-01-01T00:00:00Z',
        to: '2027-01-01T00:00:00Z',
        format: 'ndjson',
      },
    });
    const download = api.requests.find((r) => r.url.startsWith('/files/'));
    // A pre-signed URL carries its own authority: the API key must not travel to the bucket.
    expect(download?.authorization).toBeUndefined();
    expect(readFileSync(join(out, 'audit-0363-20260101T000000Z-20270101T000000Z.ndjson'), 'utf8')).toBe(
      NDJSON,
    );
    const manifest = JSON.parse(
      readFileSync(join(out, 'audit-0363-20260101T000000Z-20270101T000000Z.ndjson.manifest.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({ eventCount: 4, lastHash: EVENTS[3]?.hash });
    expect(run.stderr).toMatch(/running, 2 events/);
    expect(run.stdout).toContain('Keten geldig / Chain valid: 4 events');
  }, 30_000);

  it('uses the admin client when no municipality client covers the code, and given flags over local.json', async () => {
    writeLocalConfig([admin]);

    const byConfig = await schakel(...exportArgs(join(DIR, randomUUID())));
    const byFlags = await schakel(...exportArgs(join(DIR, randomUUID()), '--api-key', 'given-key'));

    expect(byConfig.code).toBe(0);
    expect(byFlags.code).toBe(0);
    const keys = api.requests.filter((r) => r.method === 'POST').map((r) => r.authorization);
    expect(keys).toEqual([`Bearer ${ADMIN_KEY}`, 'Bearer given-key']);
  }, 30_000);

  it('prints a problem answer readably and exits 1', async () => {
    api.refuse = {
      status: 400,
      body: {
        title: 'Bad Request',
        status: 400,
        detail: 'The request is not valid.',
        invalidParams: [{ name: 'to', reason: 'must be at most 5 years after from' }],
      },
    };

    const run = await schakel(
      ...exportArgs(join(DIR, randomUUID()), '--api-url', api.url, '--api-key', KEY_0363),
    );

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The API refused / De API weigerde: 400 Bad Request');
    expect(run.stderr).toContain('The request is not valid.');
    expect(run.stderr).toContain('- to: must be at most 5 years after from');
  }, 30_000);

  it('exits 1 with the reason when the export job fails', async () => {
    api.fail = 'the trail could not be read';

    const run = await schakel(
      ...exportArgs(join(DIR, randomUUID()), '--api-url', api.url, '--api-key', KEY_0363),
    );

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/failed \/ mislukt: the trail could not be read/);
  }, 30_000);

  it('exits 1 when the downloaded file does not verify against its manifest', async () => {
    const tampered = NDJSON.replace('"referral-3"', '"referral-7"');
    api.file = tampered;
    api.events = EVENTS;
    const out = join(DIR, randomUUID());

    const run = await schakel(...exportArgs(out, '--api-url', api.url, '--api-key', KEY_0363));

    // The manifest was made for the tampered bytes (digest equal), so the chain must catch it.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Chain invalid from sequence 3');
  }, 30_000);

  it('refuses a file name from the API that would leave the output folder', async () => {
    api.fileName = '../escaped.ndjson';
    const out = join(DIR, randomUUID());

    const run = await schakel(...exportArgs(out, '--api-url', api.url, '--api-key', KEY_0363));

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no export file name/);
    expect(existsSync(join(out, '..', 'escaped.ndjson'))).toBe(false);
  }, 30_000);

  // Found by the hostile probe: the name comes from the API; only the hub's own file names are
  // written, so a name cannot overwrite a file of the output folder, rewrite the terminal, or crash
  // the clean-up with a stack trace.
  it.each([
    ['package.json'],
    ['.bashrc'],
    ['audit.ndjson\nKeten geldig, Chain valid'],
    ['\u001b]0;pwned\u0007audit.ndjson'],
    ['audit-0363\u0000.ndjson'],
    [`audit-${'x'.repeat(300)}.ndjson`],
  ])(
    'refuses the file name %j and leaves the folder as it was, without a stack trace',
    async (name) => {
      api.fileName = name;
      const out = join(DIR, randomUUID());
      mkdirSync(out);
      writeFileSync(join(out, 'package.json'), '{"keep":true}\n');
      writeFileSync(join(out, '.bashrc'), 'echo keep\n');

      const run = await schakel(...exportArgs(out, '--api-url', api.url, '--api-key', KEY_0363));

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/no export file name/);
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
      expect(readFileSync(join(out, 'package.json'), 'utf8')).toBe('{"keep":true}\n');
      expect(readFileSync(join(out, '.bashrc'), 'utf8')).toBe('echo keep\n');
    },
    30_000,
  );

  it.each([
    ['no API key and no local hub', [], /give --api-url and --api-key/],
    [
      'an impossible period',
      ['--api-url', 'http://127.0.0.1:1', '--api-key', 'k', '--to', '2025-01-01T00:00:00Z'],
      /to/,
    ],
    ['an unknown format', ['--format', 'xlsx'], /Allowed choices are ndjson, csv/],
  ])(
    'exits 2 without calling the API for %s',
    async (_case, more, message) => {
      const run = await schakel(...exportArgs(join(DIR, randomUUID()), ...more));

      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(api.requests).toEqual([]);
    },
    30_000,
  );

  it('exits 1 saying where it could not reach the API', async () => {
    const run = await schakel(
      ...exportArgs(join(DIR, randomUUID()), '--api-url', 'http://127.0.0.1:9', '--api-key', 'k'),
    );

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot reach \/ niet bereikbaar: http:\/\/127\.0\.0\.1:9\/v1\/audit-exports/);
  }, 30_000);
});
