import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestBeside, readManifest, verifyFile } from '../../../cli/verify-file.js';
import { GENESIS_HASH, linkHash } from '../../../domain/audit-chain.js';
import { parseCsvRecord } from '../../../domain/audit-csv.js';
import { canonicalJson } from '../../../domain/canonical-json.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import type { AuditExportManifest } from '../../../schemas/audit-export.js';
import { auditChain, csvOf, manifestOf, ndjsonOf } from '../../helpers/audit-export-fixtures.js';

const DIR = mkdtempSync(join(tmpdir(), 'schakel-verify-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

let files = 0;
function file(text: string | Buffer, extension = 'ndjson'): string {
  files += 1;
  const path = join(DIR, `export-${files}.${extension}`);
  writeFileSync(path, text);
  return path;
}

const EVENTS = auditChain(6);
const NDJSON = ndjsonOf(EVENTS);
const LINES = NDJSON.split('\n').slice(0, -1);
const ndjsonLines = (lines: readonly string[]) => `${lines.join('\n')}\n`;

describe('verifyFile on NDJSON', () => {
  it('accepts an export as exported, with its manifest', async () => {
    const result = await verifyFile(file(NDJSON), { manifest: manifestOf(EVENTS, NDJSON) });

    expect(result).toMatchObject({
      valid: true,
      format: 'ndjson',
      eventCount: 6,
      firstSequence: 1,
      lastSequence: 6,
      lastHash: EVENTS[5]?.hash,
      anchoredBy: 'manifest',
      problems: [],
    });
  });

  it('names the sequence and line of an event with one byte changed', async () => {
    const changed = [...LINES];
    changed[3] = (changed[3] as string).replace('Jansen', 'Jansem');

    const result = await verifyFile(file(ndjsonLines(changed)));

    expect(result.valid).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'hash-mismatch', sequence: 4, line: 4 }),
    ]);
  });

  it('names the sequence after a removed line', async () => {
    const result = await verifyFile(file(ndjsonLines(LINES.filter((_, i) => i !== 2))));

    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'sequence-gap', sequence: 4, line: 3 }),
    ]);
  });

  it('names the first line out of place when lines are reordered', async () => {
    const reordered = [...LINES];
    [reordered[1], reordered[4]] = [reordered[4] as string, reordered[1] as string];

    const result = await verifyFile(file(ndjsonLines(reordered)));

    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'sequence-gap', sequence: 5, line: 2 }),
    ]);
  });

  it.each([
    ['not JSON', 'this is not JSON', 'not-json'],
    ['JSON but no object', '[1,2,3]', 'not-an-object'],
    ['an object without the chain fields', '{"hello":"world"}', 'no-link-fields'],
    ['empty', '', 'empty-line'],
  ])('reports a line that is %s as a break at that line, without crashing', async (_case, line, reason) => {
    const hostile = [...LINES];
    hostile.splice(2, 0, line);

    const result = await verifyFile(file(ndjsonLines(hostile)));

    expect(result.chain).toMatchObject({
      valid: false,
      problem: 'malformed-entry',
      reason,
      sequence: 3,
      line: 3,
    });
    expect(result.problems[0]?.message.en).toContain('(line 3)');
  });

  it('reports a line too long to be an event without reading it into memory', async () => {
    const result = await verifyFile(file(`${LINES[0]}\n{"x":"${'a'.repeat(1_100_000)}"}\n`));

    expect(result.chain).toMatchObject({
      valid: false,
      problem: 'malformed-entry',
      reason: 'too-long',
      line: 2,
    });
  });

  it('still takes the digest of the whole file after a break', async () => {
    const text = `garbage\n${NDJSON}`;
    const manifest = manifestOf(EVENTS, text);

    const result = await verifyFile(file(text), { manifest });

    expect(result.sha256).toBe(manifest.file.sha256);
    expect(result.bytes).toBe(manifest.file.bytes);
  });

  it('reports a manifest that disagrees on the count, the last hash and the digest', async () => {
    const manifest: AuditExportManifest = {
      ...manifestOf(EVENTS, NDJSON),
      eventCount: 7,
      lastHash: 'e'.repeat(64),
    };
    manifest.file.sha256 = 'f'.repeat(64);

    const result = await verifyFile(file(NDJSON), { manifest });

    expect(result.problems.map((p) => p.code)).toEqual([
      'event-count-mismatch',
      'last-hash-mismatch',
      'file-sha256-mismatch',
    ]);
  });

  it('verifies a continuation from the previous export’s manifest when it has none of its own', async () => {
    const all = auditChain(10);
    const earlier = manifestOf(all.slice(0, 4), ndjsonOf(all.slice(0, 4)));
    const later = ndjsonOf(all.slice(4));

    await expect(verifyFile(file(later), { previous: earlier })).resolves.toMatchObject({
      valid: true,
      anchoredBy: 'previous',
      firstSequence: 5,
    });
    await expect(verifyFile(file(ndjsonOf(all.slice(5))), { previous: earlier })).resolves.toMatchObject({
      valid: false,
      problems: [expect.objectContaining({ code: 'sequence-gap', sequence: 6 })],
    });
  });

  it('reports a gap between the previous export and this one', async () => {
    const all = auditChain(10);
    const earlier = manifestOf(all.slice(0, 4), ndjsonOf(all.slice(0, 4)));
    const start = { sequence: 6, hash: all[5]?.hash as string };
    const laterEvents = all.slice(6);
    const later = ndjsonOf(laterEvents);

    const result = await verifyFile(file(later), {
      manifest: manifestOf(laterEvents, later, { after: start }),
      previous: earlier,
    });

    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'exports-not-contiguous',
        message: expect.objectContaining({ en: expect.stringContaining('sequences 5 through 6') }),
      }),
    ]);
  });

  it('starts a file after a retention checkpoint at the checkpoint', async () => {
    const start = { sequence: 100, hash: 'a'.repeat(64) };
    const events = auditChain(3, start);
    const text = ndjsonOf(events);
    const manifest = {
      ...manifestOf(events, text, { after: start }),
      retentionCheckpoint: { removedThroughYear: 2021, lastSequence: 100, lastHash: start.hash },
    };

    await expect(verifyFile(file(text), { manifest })).resolves.toMatchObject({
      valid: true,
      firstSequence: 101,
    });
  });

  it('without a manifest, checks from genesis a file that starts at sequence 1', async () => {
    const result = await verifyFile(file(NDJSON));

    expect(result).toMatchObject({
      valid: true,
      anchoredBy: 'first-event',
      startAfter: { sequence: 0, hash: GENESIS_HASH },
    });
  });

  it('without a manifest, checks a later file from its first event on', async () => {
    const start = { sequence: 50, hash: 'b'.repeat(64) };

    const result = await verifyFile(file(ndjsonOf(auditChain(2, start))));

    expect(result).toMatchObject({ valid: true, startAfter: start, firstSequence: 51, lastSequence: 52 });
  });

  it('accepts an empty export against its manifest', async () => {
    const start = { sequence: 9, hash: 'c'.repeat(64) };

    const result = await verifyFile(file(''), { manifest: manifestOf([], '', { after: start }) });

    expect(result).toMatchObject({ valid: true, eventCount: 0, lastSequence: 9, lastHash: start.hash });
  });
});

describe('verifyFile on CSV', () => {
  const csvEvents = auditChain(5, undefined, (event, i) =>
    i === 1 ? { ...event, details: { note: 'line one\r\nline two; "three"' } } : event,
  );
  const CSV = csvOf(csvEvents);

  it('accepts a CSV export (quoted line breaks included) against its manifest', async () => {
    const result = await verifyFile(file(CSV, 'csv'), {
      manifest: manifestOf(csvEvents, CSV, { format: 'csv' }),
    });

    expect(result).toMatchObject({ valid: true, format: 'csv', eventCount: 5, lastHash: csvEvents[4]?.hash });
  });

  it('verifies the rows of an event the current schema would refuse (a municipality since merged away)', async () => {
    const old = auditChain(3, undefined, (event) => ({ ...event, municipality: '9999' }));
    const csv = csvOf(old);

    await expect(verifyFile(file(csv, 'csv'))).resolves.toMatchObject({ valid: true, eventCount: 3 });
  });

  it('reports a row whose JSON holds no actor or object to render', async () => {
    const events = auditChain(2);
    const rows = csvOf(events).split('\r\n');
    const { actor: _actor, ...unhashed } = events[0] as AuditEvent;
    const hostile = { ...unhashed, hash: linkHash(unhashed) };
    const fields = parseCsvRecord(rows[1] as string);
    fields[fields.length - 1] = canonicalJson(hostile);
    rows[1] = fields.map((f) => (/[;"\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(';');

    const result = await verifyFile(file(rows.join('\r\n'), 'csv'));

    expect(result.chain).toMatchObject({
      problem: 'row-mismatch',
      reason: 'not-an-audit-event',
      sequence: 1,
    });
  });

  it('tells a CSV by its BOM when the name does not say', async () => {
    await expect(verifyFile(file(CSV, 'txt'))).resolves.toMatchObject({ valid: true, format: 'csv' });
  });

  it('reports a readable column changed while the JSON column was left alone', async () => {
    const changed = CSV.replace(';mw. Jansen;', ';mw. de Vries;');

    const result = await verifyFile(file(changed, 'csv'));

    expect(result.chain).toMatchObject({
      valid: false,
      problem: 'row-mismatch',
      reason: 'csv-row-changed',
      sequence: 1,
    });
    expect(result.problems[0]?.message.nl).toContain('leesbare kolommen');
  });

  it('reports a changed JSON column as a hash mismatch at its sequence and line', async () => {
    const rows = CSV.split('\r\n');
    // Row 4 (sequence 3) is on line 5: the header is line 1 and sequence 2 spans two lines.
    rows[4] = (rows[4] as string).replace('""purpose"":""jeugdhulp""', '""purpose"":""anders""');

    const result = await verifyFile(file(rows.join('\r\n'), 'csv'));

    expect(result.chain).toMatchObject({ valid: false, problem: 'hash-mismatch', sequence: 3, line: 5 });
  });

  it('reports a file whose header is not the export’s', async () => {
    const result = await verifyFile(file(CSV.replace('Volgnummer', 'Nummer'), 'csv'));

    expect(result.chain).toMatchObject({
      valid: false,
      problem: 'malformed-entry',
      reason: 'csv-header',
      line: 1,
    });
  });

  it.each([
    ['broken quoting', (csv: string) => csv.replace(';mw. Jansen;', ';mw. "Jansen;'), 'csv-quoting'],
    ['a missing column', (csv: string) => csv.replace(';mw. Jansen;', ';'), 'csv-columns'],
  ])('reports a row with %s at its line', async (_case, spoil, reason) => {
    const result = await verifyFile(file(spoil(CSV), 'csv'));

    expect(result.chain).toMatchObject({ valid: false, reason, line: 2 });
  });
});

describe('manifestBeside', () => {
  it.each([
    ['<file>.manifest.json', (path: string) => `${path}.manifest.json`],
    ['<name>.manifest.json', (path: string) => path.replace(/\.ndjson$/, '.manifest.json')],
  ])('finds %s', (_case, nameOf) => {
    const path = file(NDJSON);
    writeFileSync(nameOf(path), '{}');

    expect(manifestBeside(path)).toBe(nameOf(path));
  });

  it('finds none where there is none', () => {
    expect(manifestBeside(file(NDJSON))).toBeUndefined();
  });
});

describe('readManifest', () => {
  it('refuses what is no plain file of a manifest’s size (a FIFO would block, /dev/zero never end)', () => {
    expect(() => readManifest('/dev/zero')).toThrow(/is not a file/);
    expect(() => readManifest(file(' '.repeat(1024 * 1024 + 1), 'json'))).toThrow(/larger than a manifest/);
  });

  it('names what is wrong with a manifest that is not one', () => {
    const path = file(JSON.stringify({ ...manifestOf(EVENTS, NDJSON), lastHash: 'XYZ' }), 'json');

    expect(() => readManifest(path)).toThrow(/lastHash/);
  });

  it('reads the manifest of a municipality that is no longer on the CBS list', () => {
    const manifest = { ...manifestOf(EVENTS, NDJSON), municipality: '9999' };

    expect(readManifest(file(JSON.stringify(manifest), 'json')).municipality).toBe('9999');
  });

  it('reads a manifest as written', () => {
    const manifest = manifestOf(EVENTS as AuditEvent[], NDJSON);

    expect(readManifest(file(JSON.stringify(manifest), 'json'))).toEqual(manifest);
  });
});
