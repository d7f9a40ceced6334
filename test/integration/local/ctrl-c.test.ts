import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalConfig } from '../../../local/local-config.js';
import { type HubAddress, javaProcessesUnder, type Outcome, submissionFor, submit } from './hub-support.js';

// `npm start` (`exec tsx local/start.ts`) in a process group of its own, as a terminal runs it, and
// Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group, in the middle of a
// burst of submissions. DynamoDB Local must not be in that group — killed at once, it would fail
// the requests in flight — and must still be gone when the hub has stopped.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const BURST = 20;

let dataDir: string;
let hub: ChildProcess;
let output = '';
const outcomes: Outcome[] = [];
let exit: { code: number | null; signal: NodeJS.Signals | null };
let javaAfterExit: number[];

function started(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const read = (chunk: string) => {
      output += chunk;
      const url = /Schakel runs locally at (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve(url);
    };
    child.stdout?.setEncoding('utf8').on('data', read);
    child.stderr?.setEncoding('utf8').on('data', read);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'schakel-ctrl-c-'));
  hub = spawn(process.execPath, [TSX, 'local/start.ts'], {
    cwd: ROOT,
    // Its own process group: the "terminal" of this test is process.kill(-pid).
    detached: true,
    env: { ...process.env, PORT: '0', SCHAKEL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const apiUrl = await started(hub);
  const address: HubAddress = { apiUrl, localConfig: readLocalConfig(dataDir) };
  const exited = new Promise<typeof exit>((resolve) =>
    hub.once('exit', (code, signal) => resolve({ code, signal })),
  );

  let answers = 0;
  await Promise.all(
    Array.from({ length: BURST }, async (_, i) => {
      outcomes[i] = await submit(address, submissionFor(address, `ctrl-c-${i}`));
      answers += 1;
      if (answers === 3) process.kill(-(hub.pid as number), 'SIGINT');
    }),
  );
  exit = await exited;
  javaAfterExit = javaProcessesUnder(dataDir);
}, 90_000);

afterAll(() => {
  if (hub?.exitCode === null) process.kill(-(hub.pid as number), 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Ctrl-C in the terminal of `npm start` during a burst', () => {
  it('lets every request in flight finish with 202', () => {
    expect(outcomes.map((o) => (o.kind === 'answer' ? o.status : o.code))).toEqual(Array(BURST).fill(202));
  });

  it('stops the hub cleanly, with DynamoDB Local', () => {
    expect(exit, output).toEqual({ code: 0, signal: null });
    expect(javaAfterExit).toEqual([]);
  });
});
