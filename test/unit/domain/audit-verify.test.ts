import { describe, expect, it } from 'vitest';
import { type ChainVerification, GENESIS_HASH, verifyChain } from '../../../domain/audit-chain.js';
import {
  chainProblems,
  type ExportManifestFacts,
  parseEntry,
  type VerifyExportInput,
  verifyExport,
} from '../../../domain/audit-verify.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import {
  auditChain,
  type ChainStart,
  manifestOf,
  ndjsonOf,
  sha256,
} from '../../helpers/audit-export-fixtures.js';

/** An export of `events` as the exporter would hand it over, ready to be spoilt by a test. */
function exported(events: readonly AuditEvent[], after: ChainStart = { sequence: 0, hash: GENESIS_HASH }) {
  const text = ndjsonOf(events);
  const manifest = manifestOf(events, text, { after });
  return {
    manifest,
    fileSha256: sha256(text),
    fileBytes: Buffer.byteLength(text),
    verification: verifyChain(events, { sequence: manifest.afterSequence, hash: manifest.previousHash }),
  } satisfies VerifyExportInput;
}

const codes = (input: VerifyExportInput) => verifyExport(input).map((p) => p.code);

describe('parseEntry', () => {
  it('reads a JSON object with a sequence and both hashes as an entry', () => {
    const [event] = auditChain(1);

    expect(parseEntry(JSON.stringify(event))).toEqual({ entry: event });
  });

  it.each([
    ['not-json', '{"sequence":1,'],
    ['not-json', 'hello'],
    ['not-an-object', '[1,2]'],
    ['not-an-object', 'null'],
    ['not-an-object', '"text"'],
    ['no-link-fields', '{"sequence":"1","prevHash":"a","hash":"b"}'],
    ['no-link-fields', '{"sequence":1.5,"prevHash":"a","hash":"b"}'],
    ['no-link-fields', '{"sequence":1,"hash":"b"}'],
    ['empty-line', '   '],
  ])('gives the reason %s for %j, never an exception', (reason, text) => {
    expect(parseEntry(text)).toEqual({ reason });
  });
});

describe('verifyExport', () => {
  it('finds nothing wrong with an export as exported', () => {
    expect(verifyExport(exported(auditChain(4)))).toEqual([]);
  });

  it('finds nothing wrong with an empty export that continues an earlier one', () => {
    const start = { sequence: 12, hash: 'c'.repeat(64) };

    expect(verifyExport(exported([], start))).toEqual([]);
  });

  it('names the sequence of a changed event, in Dutch and English', () => {
    const events = auditChain(4);
    const input = exported(events);
    const changed = events.map((e) => (e.sequence === 3 ? { ...e, purpose: 'other' } : e));

    const problems = verifyExport({ ...input, verification: verifyChain(changed) });

    expect(problems).toEqual([
      {
        code: 'hash-mismatch',
        sequence: 3,
        message: {
          nl: expect.stringMatching(/^volgnummer 3: .*gewijzigd/),
          en: expect.stringMatching(/^sequence 3: .*changed/),
        },
      },
    ]);
  });

  it('says which sequence was expected where another stands', () => {
    const events = auditChain(5).filter((e) => e.sequence !== 3);

    expect(chainProblems(verifyChain(events), 0)).toEqual([
      expect.objectContaining({
        code: 'sequence-gap',
        sequence: 4,
        message: {
          nl: expect.stringContaining('waar 3 hoort'),
          en: expect.stringContaining('where 3 belongs'),
        },
      }),
    ]);
  });

  it('describes an entry the reader could not read with its line and reason', () => {
    const verification: ChainVerification = {
      valid: false,
      count: 2,
      sequence: 3,
      problem: 'malformed-entry',
      reason: 'not-json',
      line: 4,
    };

    expect(chainProblems(verification, 0)).toEqual([
      {
        code: 'malformed-entry',
        sequence: 3,
        line: 4,
        message: {
          nl: 'volgnummer 3 verwacht (regel 4): de regel is geen JSON',
          en: 'sequence 3 expected (line 4): the line is not JSON',
        },
      },
    ]);
  });

  it('names each object with a version gap', () => {
    const events = auditChain(3, undefined, (e, i) => ({
      ...e,
      object: { ...e.object, id: 'r1', version: i + 2 },
    }));

    expect(verifyExport(exported(events))).toEqual([
      expect.objectContaining({
        code: 'version-gap',
        sequence: 1,
        message: {
          nl: expect.stringContaining('referral r1 mist versie 1'),
          en: expect.stringContaining('lacks version 1'),
        },
      }),
    ]);
  });

  it.each<[string, (m: ExportManifestFacts) => ExportManifestFacts, string]>([
    ['the event count', (m) => ({ ...m, eventCount: 5 }), 'event-count-mismatch'],
    ['the first sequence', (m) => ({ ...m, firstSequence: 2 }), 'first-sequence-mismatch'],
    ['the last sequence', (m) => ({ ...m, lastSequence: 5 }), 'last-sequence-mismatch'],
    ['the last hash', (m) => ({ ...m, lastHash: 'e'.repeat(64) }), 'last-hash-mismatch'],
    [
      'the file digest',
      (m) => ({ ...m, file: { ...m.file, sha256: 'f'.repeat(64) } }),
      'file-sha256-mismatch',
    ],
    ['the file size', (m) => ({ ...m, file: { ...m.file, bytes: m.file.bytes + 1 } }), 'file-size-mismatch'],
  ])('reports a manifest that disagrees with the file on %s', (_case, spoil, code) => {
    const input = exported(auditChain(4));

    expect(codes({ ...input, manifest: spoil(input.manifest) })).toEqual([code]);
  });

  it('reports a file whose first event is not the one after afterSequence', () => {
    const events = auditChain(4).slice(1);
    const input = exported(events);

    expect(verifyExport(input)).toEqual([
      expect.objectContaining({ code: 'first-event-mismatch', sequence: 2 }),
    ]);
  });

  it('reports a first event that does not link to the manifest’s previousHash', () => {
    const start = { sequence: 7, hash: 'a'.repeat(64) };
    const events = auditChain(3, start);
    const input = exported(events, start);
    const manifest = { ...input.manifest, previousHash: 'b'.repeat(64) };

    const problems = verifyExport({
      ...input,
      manifest,
      verification: verifyChain(events, { sequence: 7, hash: manifest.previousHash }),
    });

    expect(problems).toEqual([expect.objectContaining({ code: 'previous-hash-mismatch', sequence: 8 })]);
  });

  describe('with the previous export', () => {
    const all = auditChain(9);
    const first = exported(all.slice(0, 4));
    const joining = { sequence: 4, hash: all[3]?.hash as string };

    it('accepts an export that starts where the previous one ended', () => {
      const second = exported(all.slice(4), joining);

      expect(verifyExport({ ...second, previous: first.manifest })).toEqual([]);
    });

    it.each([
      ['a gap', 6, /gap: sequences 5 through 6 are in neither/],
      ['an overlap', 2, /overlap: sequences 3 through 4 are in both/],
    ])('reports %s between the exports', (_case, afterSequence, english) => {
      const second = exported(all.slice(afterSequence), {
        sequence: afterSequence,
        hash: all[afterSequence - 1]?.hash as string,
      });

      expect(verifyExport({ ...second, previous: first.manifest })).toEqual([
        {
          code: 'exports-not-contiguous',
          message: {
            nl: expect.stringMatching(/^gat of overlap tussen de exports/),
            en: expect.stringMatching(english),
          },
        },
      ]);
    });

    it('reports an export that joins at the right sequence but not the right hash', () => {
      const second = exported(auditChain(2, { sequence: 4, hash: 'd'.repeat(64) }), {
        sequence: 4,
        hash: 'd'.repeat(64),
      });

      expect(codes({ ...second, previous: first.manifest })).toEqual(['exports-not-contiguous']);
    });

    it('reports a previous export of another municipality', () => {
      const second = exported(all.slice(4), joining);

      expect(codes({ ...second, previous: { ...first.manifest, municipality: '0599' } })).toEqual([
        'municipality-mismatch',
      ]);
    });
  });

  describe('after a retention checkpoint', () => {
    const checkpoint = { removedThroughYear: 2020, lastSequence: 40, lastHash: 'a'.repeat(64) };
    const start = { sequence: 40, hash: checkpoint.lastHash };

    it('accepts an export that starts at the checkpoint with its hash', () => {
      const input = exported(auditChain(3, start), start);

      expect(
        verifyExport({ ...input, manifest: { ...input.manifest, retentionCheckpoint: checkpoint } }),
      ).toEqual([]);
    });

    it('reports an export that starts at the checkpoint with another hash', () => {
      const input = exported(auditChain(3, start), start);
      const manifest = {
        ...input.manifest,
        retentionCheckpoint: { ...checkpoint, lastHash: 'b'.repeat(64) },
      };

      expect(codes({ ...input, manifest })).toEqual(['retention-checkpoint-mismatch']);
    });

    it('reports an export that claims events removed by retention', () => {
      const earlier = { sequence: 30, hash: 'c'.repeat(64) };
      const input = exported(auditChain(3, earlier), earlier);

      expect(
        verifyExport({ ...input, manifest: { ...input.manifest, retentionCheckpoint: checkpoint } }),
      ).toEqual([
        expect.objectContaining({
          code: 'retention-checkpoint-mismatch',
          message: expect.objectContaining({ en: expect.stringContaining('events through 40 were removed') }),
        }),
      ]);
    });
  });
});
