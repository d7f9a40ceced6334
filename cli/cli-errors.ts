// The CLI's exit codes: 0 the check passed (or the work is done), 1 it found problems or the
// API refused, 2 it could not start (a missing file, a wrong option, no API key).

export const EXIT_PROBLEMS = 1;
export const EXIT_USAGE = 2;

/** The command cannot run as asked; the message says what to give instead. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command ran and failed for a reason outside it (the API, the network). */
export class CommandFailedError extends Error {
  override name = 'CommandFailedError';
}
