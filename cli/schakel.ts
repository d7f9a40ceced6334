import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AUDIT_EXPORT_FORMATS } from '../schemas/audit-export.js';
import { runExport } from './audit-export.js';
import { processOutput, runVerify } from './audit-verify.js';
import { CommandFailedError, EXIT_PROBLEMS, EXIT_USAGE, UsageError } from './cli-errors.js';

// npm run schakel -- <command>: the operator's and the municipality's commands.
//
//   npm run schakel -- audit verify exports/audit-0363-2026.ndjson
//   npm run schakel -- audit export --municipality 0363 --from 2026-01-01T00:00:00Z --to 2027-01-01T00:00:00Z

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0)
    throw new InvalidArgumentError('not a positive whole number');
  return number;
}

function program(): Command {
  const root = new Command('schakel')
    .description('Schakel operator commands')
    // Every usage error exits 2 (commander's own would exit 1, the code for a failed check).
    .exitOverride()
    .showHelpAfterError('(--help for usage)');
  const audit = root.command('audit').description('the audit trail: export and verify');
  audit
    .command('verify')
    .description('verify an audit export (NDJSON or CSV) against its hash chain and manifest')
    .argument('<file>', 'the exported file')
    .option(
      '--manifest <path>',
      'the manifest (default: <file>.manifest.json or <name>.manifest.json beside it)',
    )
    .option('--previous <path>', 'the manifest of the export before it, to check that the two join')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options) => {
      process.exitCode = await runVerify(file, options, processOutput);
    });
  audit
    .command('export')
    .description('export a municipality’s audit trail for a period, download it and verify it')
    .requiredOption('--municipality <code>', 'CBS municipality code, e.g. 0363')
    .requiredOption('--from <instant>', 'events recorded at or after this moment (RFC 3339)')
    .requiredOption('--to <instant>', 'events recorded before this moment (RFC 3339)')
    .addOption(new Option('--format <format>', 'file format').choices(AUDIT_EXPORT_FORMATS).default('ndjson'))
    .option('--out <dir>', 'folder for the file and its manifest', '.')
    .addOption(new Option('--api-url <url>', 'the hub’s API (default: from .schakel/local.json)'))
    .addOption(
      new Option('--api-key <key>', 'API key (default: from .schakel/local.json)').env('SCHAKEL_API_KEY'),
    )
    .addOption(
      new Option('--poll-interval <ms>', 'how often to ask after the job')
        .argParser(positiveInteger)
        .default(2000)
        .hideHelp(),
    )
    .addOption(
      new Option('--timeout <minutes>', 'how long to wait for the job')
        .argParser(positiveInteger)
        .default(60),
    )
    .action(async (options) => {
      process.exitCode = await runExport(options, processOutput);
    });
  return root;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are no error.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof UsageError) {
    console.error(error.message);
    process.exitCode = EXIT_USAGE;
  } else if (error instanceof CommandFailedError) {
    console.error(error.message);
    process.exitCode = EXIT_PROBLEMS;
  } else {
    throw error;
  }
}
