import { basename } from 'node:path';
import { EXIT_PROBLEMS } from './cli-errors.js';
import {
  assertReadableFile,
  type FileVerification,
  manifestBeside,
  PROGRESS_EVERY,
  readManifest,
  verifyFile,
} from './verify-file.js';

// `schakel audit verify <file>`: whether an export is whole, for the municipality's auditor and
// our operators alike, so every line says it in Dutch and in English.

export interface VerifyCommandOptions {
  manifest?: string;
  previous?: string;
  json?: boolean;
}

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: only then is progress worth a line. */
  interactive: boolean;
}

export const processOutput: Output = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  interactive: process.stderr.isTTY === true,
};

/** The exit code of a verification: 0 sound, 1 problems. */
export async function runVerify(
  file: string,
  options: VerifyCommandOptions,
  output: Output,
): Promise<number> {
  assertReadableFile(file);
  const manifestPath = options.manifest ?? manifestBeside(file);
  const manifest = manifestPath ? readManifest(manifestPath) : undefined;
  const previous = options.previous ? readManifest(options.previous) : undefined;
  const onProgress = output.interactive
    ? (events: number) =>
        process.stderr.write(
          `\r… ${events.toLocaleString('nl-NL')} gebeurtenissen gecontroleerd / events verified`,
        )
    : undefined;
  const result = await verifyFile(file, { manifest, previous, onProgress });
  if (onProgress && result.eventCount >= PROGRESS_EVERY) process.stderr.write('\n');
  const paths = { manifest: manifestPath, previous: options.previous };
  output.stdout(
    options.json ? JSON.stringify(jsonResult(result, paths), null, 2) : humanResult(result, paths),
  );
  return result.valid ? 0 : EXIT_PROBLEMS;
}

interface Paths {
  manifest?: string | undefined;
  previous?: string | undefined;
}

function jsonResult(result: FileVerification, paths: Paths) {
  const { chain: _chain, ...rest } = result;
  return { ...rest, manifest: paths.manifest ?? null, previous: paths.previous ?? null };
}

function anchorLines(result: FileVerification, paths: Paths): string[] {
  const name = basename(result.file);
  if (paths.manifest) return [`Manifest: ${paths.manifest}`];
  const start =
    result.startAfter.sequence === 0
      ? { nl: 'vanaf het begin van de keten (genesis)', en: 'from the start of the chain (genesis)' }
      : {
          nl: `vanaf volgnummer ${result.startAfter.sequence + 1}; of dat aansluit op wat ervoor kwam, blijkt pas met een manifest of --previous`,
          en: `from sequence ${result.startAfter.sequence + 1}; whether it joins what came before needs a manifest or --previous`,
        };
  if (paths.previous) {
    return [
      `Geen manifest naast ${name}: de keten is gecontroleerd vanaf het einde van de vorige export (${paths.previous}).`,
      `No manifest beside ${name}: the chain was verified from where the previous export (${paths.previous}) ends.`,
    ];
  }
  return [
    `Geen manifest gevonden naast ${name}: alleen de keten is gecontroleerd, ${start.nl}.`,
    `No manifest found beside ${name}: verified the chain alone, ${start.en}.`,
  ];
}

function humanResult(result: FileVerification, paths: Paths): string {
  const lines = anchorLines(result, paths);
  const file = `${result.file} (${result.format}, ${result.bytes} bytes, sha256 ${result.sha256})`;
  if (result.valid) {
    const range =
      result.eventCount === 0
        ? `geen gebeurtenissen na volgnummer ${result.startAfter.sequence} / no events after sequence ${result.startAfter.sequence}`
        : `sequences ${result.firstSequence}–${result.lastSequence}`;
    lines.push(
      `Keten geldig / Chain valid: ${result.eventCount} events, ${range}, last hash ${result.lastHash}`,
      `Bestand / File: ${file}`,
    );
    if (paths.manifest) lines.push('Bestand en manifest komen overeen / File and manifest agree');
    if (paths.previous && paths.manifest) {
      lines.push('Sluit aan op de vorige export / Continues the previous export');
    }
    return lines.join('\n');
  }
  const shown = result.problems.slice(0, 20);
  const broken = result.chain.valid ? undefined : result.chain.sequence;
  lines.push(
    broken === undefined
      ? 'Keten geldig, maar de export klopt niet / Chain valid, but the export does not verify'
      : `Keten ongeldig vanaf volgnummer ${broken} / Chain invalid from sequence ${broken}`,
    `Bestand / File: ${file}`,
    `${result.problems.length} probleem/problemen / problem(s):`,
  );
  for (const problem of shown) {
    lines.push(`  [${problem.code}]`, `    NL: ${problem.message.nl}`, `    EN: ${problem.message.en}`);
  }
  if (result.problems.length > shown.length) {
    lines.push(
      `  … en ${result.problems.length - shown.length} meer / and ${result.problems.length - shown.length} more (--json)`,
    );
  }
  return lines.join('\n');
}
