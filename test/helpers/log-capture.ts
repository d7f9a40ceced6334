import { afterEach, beforeEach, vi } from 'vitest';
import { logger } from '../../functions/shared/logger.js';

/**
 * What the functions write to stdout and stderr during each test of the calling suite, the logger
 * at DEBUG: for tests that assert on log events or on what a log line must never carry.
 */
export function captureLogs() {
  let captured: string[] = [];

  beforeEach(() => {
    captured = [];
    const capture = (chunk: unknown) => {
      captured.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    logger.setLogLevel('DEBUG');
    // Powertools' middleware puts the level back to the one of the environment (SILENT in tests) at
    // every invocation, for its debug sampling; keep DEBUG for the whole test instead.
    vi.spyOn(logger, 'refreshSampleRateCalculation').mockImplementation(() => undefined);
  });

  afterEach(() => {
    logger.setLogLevel('SILENT');
    vi.restoreAllMocks();
  });

  return {
    text: () => captured.join(''),
    lines: () =>
      captured
        .join('')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
