// Console output of local mode. Lines name what happened (method, route template, status, event
// name) and never carry request bodies, query strings, headers or error messages: those can hold
// pupil data and API keys (design brief, invariant 4), and a JSON.parse error quotes the body.

export interface LocalLog {
  info(line: string): void;
  error(line: string, error?: unknown): void;
}

export function createLocalLog(quiet = false): LocalLog {
  return {
    info: (line) => {
      if (!quiet) console.log(line);
    },
    error: (line, error) => {
      console.error(error === undefined ? line : `${line}: ${describeError(error)}`);
    },
  };
}

/** The error's class and where it was thrown: enough to debug, without the message text. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .slice(0, 6);
  return [error.name, ...frames].join('\n');
}

/** `1 message`, `3 messages`: counts in console lines. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
