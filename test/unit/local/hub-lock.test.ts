import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireHubLock, runningHubPid } from '../../../local/hub-lock.js';

// Two hubs on one data dir would run two DynamoDB Locals on one database file, and the second
// would stop the first one's JVM as a leftover: refused, also within one process.

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'schakel-hub-lock-'));
  dirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('acquireHubLock', () => {
  it('refuses a second hub of this process on the same data dir', () => {
    const dataDir = tempDir();
    const release = acquireHubLock(dataDir);

    expect(() => acquireHubLock(join(dataDir, '.'))).toThrow(/already uses/);
    release();
  });

  it('lets a hub of this process have the data dir again once released', () => {
    const dataDir = tempDir();
    acquireHubLock(dataDir)();

    const release = acquireHubLock(dataDir);

    expect(runningHubPid(dataDir)).toBe(process.pid);
    release();
    expect(runningHubPid(dataDir)).toBeUndefined();
  });

  it('lets hubs of this process hold different data dirs', () => {
    const releases = [acquireHubLock(tempDir()), acquireHubLock(tempDir())];

    expect(releases).toHaveLength(2);
    for (const release of releases) release();
  });
});
