import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// One hub per data dir: two DynamoDB Local processes on one database file, or a reset under a
// running hub, corrupt local state. The pid file says who owns the data dir.

export const PID_FILE = 'hub.pid';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a live hub using this data dir, if any. */
export function runningHubPid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** Data dirs held by hubs of this process: the pid file cannot tell two of them apart. */
const heldHere = new Set<string>();

export function acquireHubLock(dataDir: string): () => void {
  const key = resolve(dataDir);
  if (heldHere.has(key))
    throw new Error(`a local hub in this process already uses ${dataDir}; stop it first`);
  const owner = runningHubPid(dataDir);
  if (owner !== undefined && owner !== process.pid) {
    throw new Error(
      `a local hub (pid ${owner}) already uses ${dataDir}; stop it first (Ctrl-C in its terminal)`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, PID_FILE);
  writeFileSync(file, `${process.pid}\n`);
  heldHere.add(key);
  return () => {
    heldHere.delete(key);
    if (runningHubPid(dataDir) === process.pid) rmSync(file, { force: true });
  };
}
