import type { AuditedLink, ChainVerification, VersionGap } from './audit-chain.js';

// Checking an audit export as the municipality receives it: the file's events chain (see
// ChainVerifier in audit-chain.ts), and the file is the one its manifest describes and joins the
// export before it. Every problem has a stable code for machines and a message in Dutch and
// English for the people who act on it (a municipality's auditor, our operators).

/** Why a line of a file is not an entry the chain can check. */
export const ENTRY_REASONS = {
  'not-json': { nl: 'de regel is geen JSON', en: 'the line is not JSON' },
  'not-an-object': { nl: 'de regel is geen JSON-object', en: 'the line is not a JSON object' },
  'no-link-fields': {
    nl: 'de regel mist sequence, prevHash of hash',
    en: 'the line lacks sequence, prevHash or hash',
  },
  'empty-line': { nl: 'de regel is leeg', en: 'the line is empty' },
  'too-long': { nl: 'de regel is te lang voor een gebeurtenis', en: 'the line is too long for an event' },
  'csv-header': {
    nl: 'de kopregel is niet die van een Schakel-auditexport',
    en: 'the header row is not that of a Schakel audit export',
  },
  'csv-quoting': { nl: 'de CSV-aanhalingstekens kloppen niet', en: 'the CSV quoting is broken' },
  'csv-columns': {
    nl: 'de regel heeft niet het aantal kolommen van de export',
    en: 'the row has the wrong number of columns',
  },
  'csv-row-changed': {
    nl: 'de leesbare kolommen zeggen iets anders dan de JSON van de gebeurtenis (laatste kolom)',
    en: 'the readable columns say something other than the event’s JSON (the last column)',
  },
  'not-an-audit-event': {
    nl: 'de JSON is geen auditgebeurtenis die deze controle kent',
    en: 'the JSON is not an audit event this verifier knows',
  },
} as const satisfies Record<string, Bilingual>;
export type EntryReason = keyof typeof ENTRY_REASONS;

export interface Bilingual {
  nl: string;
  en: string;
}

export type ParsedEntry = { entry: AuditedLink } | { reason: EntryReason };

function isLink(value: object): value is AuditedLink {
  const { sequence, prevHash, hash } = value as Record<string, unknown>;
  return Number.isSafeInteger(sequence) && typeof prevHash === 'string' && typeof hash === 'string';
}

/** One line of an export read as an entry; hostile input gives a reason, never an exception. */
export function parseEntry(text: string): ParsedEntry {
  if (text.trim() === '') return { reason: 'empty-line' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reason: 'not-json' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'not-an-object' };
  return isLink(value) ? { entry: value } : { reason: 'no-link-fields' };
}

export type ExportProblemCode =
  | Exclude<ChainVerification, { valid: true }>['problem']
  | 'first-event-mismatch'
  | 'previous-hash-mismatch'
  | 'event-count-mismatch'
  | 'first-sequence-mismatch'
  | 'last-sequence-mismatch'
  | 'last-hash-mismatch'
  | 'file-sha256-mismatch'
  | 'file-size-mismatch'
  | 'municipality-mismatch'
  | 'exports-not-contiguous'
  | 'retention-checkpoint-mismatch';

export interface ExportProblem {
  code: ExportProblemCode;
  /** The event the problem is found at, when it is one. */
  sequence?: number;
  /** Its line in the file, when known. */
  line?: number;
  message: Bilingual;
}

/** What verifyExport reads of a manifest (the shape of `AuditExportManifest` in schemas/). */
export interface ExportManifestFacts {
  municipality: string;
  file: { sha256: string; bytes: number };
  eventCount: number;
  afterSequence: number;
  firstSequence?: number | undefined;
  lastSequence: number;
  previousHash: string;
  lastHash: string;
  retentionCheckpoint?: { removedThroughYear: number; lastSequence: number; lastHash: string } | undefined;
}

const short = (hash: string) => `${hash.slice(0, 12)}…`;

function gapMessage(gap: VersionGap): Bilingual {
  const object = `${gap.objectType} ${gap.objectId}`;
  const nl: string[] = [];
  const en: string[] = [];
  if (gap.missing.length > 0) {
    nl.push(`mist versie ${gap.missing.join(', ')}`);
    en.push(`lacks version ${gap.missing.join(', ')}`);
  }
  if (gap.repeated.length > 0) {
    nl.push(`heeft versie ${gap.repeated.join(', ')} dubbel`);
    en.push(`has version ${gap.repeated.join(', ')} twice`);
  }
  return {
    nl: `${object} ${nl.join(' en ')}: een wijziging ontbreekt of is dubbel vastgelegd`,
    en: `${object} ${en.join(' and ')}: a change is missing or was recorded twice`,
  };
}

/**
 * The problems of a chain verification, if any. `afterSequence` is where the verifier started,
 * to say which sequence was expected where another stood.
 */
export function chainProblems(verification: ChainVerification, afterSequence: number): ExportProblem[] {
  if (verification.valid) return [];
  if (verification.problem === 'version-gap') {
    return verification.gaps.map((gap) => ({
      code: 'version-gap',
      sequence: gap.sequence,
      message: gapMessage(gap),
    }));
  }
  const { sequence, line } = verification;
  const at = { sequence, ...(line === undefined ? {} : { line }) };
  const where = line === undefined ? { nl: '', en: '' } : { nl: ` (regel ${line})`, en: ` (line ${line})` };
  switch (verification.problem) {
    case 'sequence-gap': {
      const expected = afterSequence + verification.count + 1;
      return [
        {
          code: 'sequence-gap',
          ...at,
          message: {
            nl: `volgnummer ${sequence}${where.nl} staat waar ${expected} hoort: een gebeurtenis ontbreekt, staat er dubbel in of is verplaatst`,
            en: `sequence ${sequence}${where.en} stands where ${expected} belongs: an event is missing, repeated or moved`,
          },
        },
      ];
    }
    case 'prev-hash-mismatch':
      return [
        {
          code: 'prev-hash-mismatch',
          ...at,
          message: {
            nl: `volgnummer ${sequence}${where.nl}: prevHash is niet de hash van de gebeurtenis ervoor; een eerdere gebeurtenis is gewijzigd, verwijderd of verplaatst`,
            en: `sequence ${sequence}${where.en}: prevHash is not the hash of the event before it; an earlier event was changed, removed or moved`,
          },
        },
      ];
    case 'hash-mismatch':
      return [
        {
          code: 'hash-mismatch',
          ...at,
          message: {
            nl: `volgnummer ${sequence}${where.nl}: de gebeurtenis geeft niet haar eigen hash; ze is gewijzigd`,
            en: `sequence ${sequence}${where.en}: the event does not hash to its own hash; it was changed`,
          },
        },
      ];
    default: {
      const reason: Bilingual = ENTRY_REASONS[verification.reason as EntryReason] ?? {
        nl: verification.reason,
        en: verification.reason,
      };
      return [
        {
          code: verification.problem,
          ...at,
          message: {
            nl: `volgnummer ${sequence} verwacht${where.nl}: ${reason.nl}`,
            en: `sequence ${sequence} expected${where.en}: ${reason.en}`,
          },
        },
      ];
    }
  }
}

export interface VerifyExportInput {
  manifest: ExportManifestFacts;
  fileSha256: string;
  fileBytes: number;
  /** The file's chain, verified from the manifest's `afterSequence` and `previousHash`. */
  verification: ChainVerification;
  /** The manifest of the export before this one, to check that the two join. */
  previous?: ExportManifestFacts | undefined;
}

/**
 * Everything wrong with an export: its chain, whether the file is the one the manifest describes,
 * whether it starts where a retention checkpoint says the trail goes on, and whether it continues
 * the previous export without a gap or an overlap. An empty list means the export is sound.
 */
export function verifyExport(input: VerifyExportInput): ExportProblem[] {
  const { manifest, verification } = input;
  return [
    ...manifestChainProblems(manifest, verification),
    ...fileProblems(input),
    ...checkpointProblems(manifest),
    ...(input.previous ? continuityProblems(manifest, input.previous) : []),
  ];
}

function fileProblems({ manifest, fileSha256, fileBytes }: VerifyExportInput): ExportProblem[] {
  const problems: ExportProblem[] = [];
  if (fileSha256 !== manifest.file.sha256) {
    problems.push({
      code: 'file-sha256-mismatch',
      message: {
        nl: `de SHA-256 van het bestand is ${fileSha256}, het manifest zegt ${manifest.file.sha256}: het bestand is niet het geëxporteerde`,
        en: `the file's SHA-256 is ${fileSha256}, the manifest says ${manifest.file.sha256}: the file is not the one exported`,
      },
    });
  }
  if (fileBytes !== manifest.file.bytes) {
    problems.push({
      code: 'file-size-mismatch',
      message: {
        nl: `het bestand is ${fileBytes} bytes, het manifest zegt ${manifest.file.bytes}`,
        en: `the file is ${fileBytes} bytes, the manifest says ${manifest.file.bytes}`,
      },
    });
  }
  return problems;
}

function manifestChainProblems(
  manifest: ExportManifestFacts,
  verification: ChainVerification,
): ExportProblem[] {
  const { afterSequence } = manifest;
  // A break at the very first event is where the file and its manifest disagree on the start.
  if (!verification.valid && verification.count === 0 && verification.problem === 'sequence-gap') {
    return [
      {
        code: 'first-event-mismatch',
        sequence: verification.sequence,
        message: {
          nl: `het eerste volgnummer in het bestand is ${verification.sequence}; volgens het manifest volgt het op ${afterSequence} (afterSequence)`,
          en: `the file's first sequence is ${verification.sequence}; the manifest says it follows ${afterSequence} (afterSequence)`,
        },
      },
    ];
  }
  if (!verification.valid && verification.count === 0 && verification.problem === 'prev-hash-mismatch') {
    return [
      {
        code: 'previous-hash-mismatch',
        sequence: verification.sequence,
        message: {
          nl: `de prevHash van de eerste gebeurtenis (${verification.sequence}) is niet de previousHash van het manifest (${short(manifest.previousHash)})`,
          en: `the first event's (${verification.sequence}) prevHash is not the manifest's previousHash (${short(manifest.previousHash)})`,
        },
      },
    ];
  }
  const problems = chainProblems(verification, afterSequence);
  // Past a broken link the count and the last hash say nothing; a version gap leaves them whole.
  if (!verification.valid && verification.problem !== 'version-gap') return problems;
  const { count, lastHash } = verification;
  if (count !== manifest.eventCount) {
    problems.push({
      code: 'event-count-mismatch',
      message: {
        nl: `het bestand bevat ${count} gebeurtenissen, het manifest zegt ${manifest.eventCount}`,
        en: `the file holds ${count} events, the manifest says ${manifest.eventCount}`,
      },
    });
  }
  const firstSequence = count > 0 ? afterSequence + 1 : undefined;
  if (manifest.firstSequence !== firstSequence) {
    problems.push({
      code: 'first-sequence-mismatch',
      message: {
        nl: `firstSequence in het manifest is ${manifest.firstSequence ?? '(leeg)'}, het bestand begint bij ${firstSequence ?? '(geen gebeurtenissen)'}`,
        en: `the manifest's firstSequence is ${manifest.firstSequence ?? '(none)'}, the file starts at ${firstSequence ?? '(no events)'}`,
      },
    });
  }
  const lastSequence = afterSequence + count;
  if (manifest.lastSequence !== lastSequence) {
    problems.push({
      code: 'last-sequence-mismatch',
      message: {
        nl: `lastSequence in het manifest is ${manifest.lastSequence}, het bestand eindigt bij ${lastSequence}`,
        en: `the manifest's lastSequence is ${manifest.lastSequence}, the file ends at ${lastSequence}`,
      },
    });
  }
  if (manifest.lastHash !== lastHash) {
    problems.push({
      code: 'last-hash-mismatch',
      message: {
        nl: `de laatste hash in het bestand is ${short(lastHash)}, het manifest zegt ${short(manifest.lastHash)}`,
        en: `the file's last hash is ${short(lastHash)}, the manifest says ${short(manifest.lastHash)}`,
      },
    });
  }
  return problems;
}

function checkpointProblems(manifest: ExportManifestFacts): ExportProblem[] {
  const checkpoint = manifest.retentionCheckpoint;
  if (!checkpoint) return [];
  if (manifest.afterSequence < checkpoint.lastSequence) {
    return [
      {
        code: 'retention-checkpoint-mismatch',
        message: {
          nl: `de export begint na ${manifest.afterSequence}, maar gebeurtenissen tot en met ${checkpoint.lastSequence} zijn na hun bewaartermijn verwijderd`,
          en: `the export starts after ${manifest.afterSequence}, but events through ${checkpoint.lastSequence} were removed after their retention period`,
        },
      },
    ];
  }
  if (manifest.afterSequence === checkpoint.lastSequence && manifest.previousHash !== checkpoint.lastHash) {
    return [
      {
        code: 'retention-checkpoint-mismatch',
        message: {
          nl: `de export begint bij het bewaarpunt (${checkpoint.lastSequence}), maar previousHash is niet de hash van het bewaarpunt (${short(checkpoint.lastHash)})`,
          en: `the export starts at the retention checkpoint (${checkpoint.lastSequence}), but previousHash is not the checkpoint's hash (${short(checkpoint.lastHash)})`,
        },
      },
    ];
  }
  return [];
}

function continuityProblems(manifest: ExportManifestFacts, previous: ExportManifestFacts): ExportProblem[] {
  if (previous.municipality !== manifest.municipality) {
    return [
      {
        code: 'municipality-mismatch',
        message: {
          nl: `de vorige export is van gemeente ${previous.municipality}, deze van ${manifest.municipality}`,
          en: `the previous export is of municipality ${previous.municipality}, this one of ${manifest.municipality}`,
        },
      },
    ];
  }
  if (manifest.afterSequence === previous.lastSequence && manifest.previousHash === previous.lastHash)
    return [];
  const { afterSequence } = manifest;
  const { lastSequence } = previous;
  const what: Bilingual =
    afterSequence > lastSequence
      ? {
          nl: `gat: volgnummers ${lastSequence + 1} tot en met ${afterSequence} staan in geen van beide`,
          en: `gap: sequences ${lastSequence + 1} through ${afterSequence} are in neither`,
        }
      : afterSequence < lastSequence
        ? {
            nl: `overlap: volgnummers ${afterSequence + 1} tot en met ${lastSequence} staan in beide`,
            en: `overlap: sequences ${afterSequence + 1} through ${lastSequence} are in both`,
          }
        : {
            nl: `de previousHash (${short(manifest.previousHash)}) is niet de lastHash van de vorige (${short(previous.lastHash)})`,
            en: `previousHash (${short(manifest.previousHash)}) is not the previous one's lastHash (${short(previous.lastHash)})`,
          };
  return [
    {
      code: 'exports-not-contiguous',
      message: {
        nl: `gat of overlap tussen de exports: ${what.nl}`,
        en: `gap or overlap between the exports: ${what.en}`,
      },
    },
  ];
}
