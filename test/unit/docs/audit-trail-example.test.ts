import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../domain/audit-chain.js';
import { csvHeaderLine } from '../../../domain/audit-csv.js';
import { AuditEventSchema } from '../../../schemas/audit-event.js';
import { AuditExportManifestSchema } from '../../../schemas/audit-export.js';

// docs/audit-trail.md is what a municipality builds its own verifier from: its worked example is
// recomputed here with node:crypto and canonicalize directly (not the hub's own linkHash), and its
// recipes are run with the tools they name, so the document cannot drift from the chain.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DOC = readFileSync(join(ROOT, 'docs/audit-trail.md'), 'utf8');
const DIR = mkdtempSync(join(tmpdir(), 'schakel-doc-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** The fenced block right after `<!-- name -->`, without its closing line feed. */
function block(name: string): string {
  const match = new RegExp(`<!-- ${name} -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(DOC);
  if (!match) throw new Error(`docs/audit-trail.md has no block marked ${name}`);
  return match[1] as string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

type Example = Record<string, unknown> & { hash: string; prevHash: string };
const EVENTS = [1, 2].map((n) => JSON.parse(block(`example:event-${n}`)) as Example);
/** The NDJSON file of the example: the two events, one a line, as the doc shows them. */
const NDJSON = EVENTS.map((event) => `${JSON.stringify(event)}\n`).join('');
const GENESIS = '0'.repeat(64);

function hasTool(command: string): boolean {
  return spawnSync(command, ['--version']).status === 0;
}

describe('docs/audit-trail.md', () => {
  it('shows two real audit events of the current schema', () => {
    for (const event of EVENTS) expect(AuditEventSchema.safeParse(event).success).toBe(true);
  });

  it.each([1, 2])('gives the RFC 8785 form of event %i without its hash', (n) => {
    const { hash: _hash, ...rest } = EVENTS[n - 1] as Example;

    expect(block(`example:canonical-${n}`)).toBe(canonicalize(rest));
  });

  it.each([1, 2])(
    'gives the exact hash input of event %i: prevHash, a line feed, the canonical JSON',
    (n) => {
      const event = EVENTS[n - 1] as Example;

      expect(block(`example:input-${n}`)).toBe(`${event.prevHash}\n${block(`example:canonical-${n}`)}`);
    },
  );

  it.each([1, 2])('gives the SHA-256 of that input as the hash of event %i', (n) => {
    const hash = sha256(Buffer.from(block(`example:input-${n}`), 'utf8'));

    expect(block(`example:hash-${n}`)).toBe(hash);
    expect(EVENTS[n - 1]?.hash).toBe(hash);
  });

  it('chains the two events from genesis, as the hub’s own verifier sees it too', () => {
    expect(EVENTS[0]?.prevHash).toBe(GENESIS);
    expect(EVENTS[1]?.prevHash).toBe(EVENTS[0]?.hash);
    expect(verifyChain(EVENTS as never)).toEqual({ valid: true, count: 2, lastHash: EVENTS[1]?.hash });
  });

  it('shows a manifest of the schema that describes the example file', () => {
    const manifest = AuditExportManifestSchema.parse(JSON.parse(block('example:manifest')));

    expect(manifest).toMatchObject({
      file: { sha256: sha256(NDJSON), bytes: Buffer.byteLength(NDJSON) },
      eventCount: 2,
      afterSequence: 0,
      firstSequence: 1,
      lastSequence: 2,
      previousHash: GENESIS,
      lastHash: EVENTS[1]?.hash,
    });
  });

  it('shows the CSV header the exporter writes', () => {
    expect(`${block('example:csv-header')}\r\n`).toBe(csvHeaderLine());
  });

  describe.skipIf(!hasTool('python3'))('the Python recipe', () => {
    const script = join(DIR, 'verify_audit_export.py');
    const manifest = join(DIR, 'audit.ndjson.manifest.json');
    beforeAll(() => {
      writeFileSync(script, block('recipe:python'));
      writeFileSync(manifest, block('example:manifest'));
    });

    const run = (text: string) => {
      const file = join(DIR, 'audit.ndjson');
      writeFileSync(file, text);
      return spawnSync('python3', [script, file, manifest], { encoding: 'utf8' });
    };

    it('accepts the example export', () => {
      const result = run(NDJSON);

      expect(result.stdout).toBe(`OK: sequences 1-2, last hash ${EVENTS[1]?.hash}\n`);
      expect(result.status).toBe(0);
    });

    it('rejects it with one event changed', () => {
      const result = run(NDJSON.replace('"urgency":"normal"', '"urgency":"high"'));

      expect(result.stdout).toContain('line 1: chain broken at sequence 1');
      expect(result.status).toBe(1);
    });

    it('rejects it with the first event left out', () => {
      const result = run(`${JSON.stringify(EVENTS[1])}\n`);

      expect(result.stdout).toContain('the file is not the one the manifest describes');
      expect(result.stdout).toContain('line 1: chain broken at sequence 1');
      expect(result.status).toBe(1);
    });
  });

  describe.skipIf(!hasTool('jq') || !hasTool('sha256sum') || !hasTool('bash'))('the jq recipe', () => {
    const run = (text: string) => {
      writeFileSync(join(DIR, 'audit-0363-2026-11.ndjson'), text);
      const result = spawnSync('bash', ['-c', block('recipe:jq')], { cwd: DIR, encoding: 'utf8' });
      const [computed, stated] = result.stdout.trim().split('\n');
      return { computed: computed?.replace(/\s+-$/, ''), stated };
    };

    it('prints the same hash twice for event 2', () => {
      expect(run(NDJSON)).toEqual({ computed: EVENTS[1]?.hash, stated: EVENTS[1]?.hash });
    });

    it('prints two different hashes when event 2 was changed', () => {
      const { computed, stated } = run(NDJSON.replace('"routering"', '"iets anders"'));

      expect(stated).toBe(EVENTS[1]?.hash);
      expect(computed).toMatch(/^[0-9a-f]{64}$/);
      expect(computed).not.toBe(stated);
    });
  });
});
