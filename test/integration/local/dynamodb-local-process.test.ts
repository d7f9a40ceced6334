import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators, stopLeftoverEmulators } from '../../../local/emulators/emulators.js';
import { eventually, isRunning, javaProcessesUnder } from './hub-support.js';

// DynamoDB Local runs in a process group of its own, so a terminal's Ctrl-C reaches only the hub,
// which then stops in order. These tests hold it to never outliving its owner regardless: a
// leftover found through the data dir's pid file is stopped by the next start (and only if it is
// our JVM on that database), and the JVM exits by itself when its owner is killed with SIGKILL.

const FIXTURE = fileURLToPath(new URL('./fixtures/hold-emulators.ts', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'schakel-ddb-process-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Owner {
  process: ChildProcess;
  jvmPid: number;
}

/** Another process that starts emulators on `dataDir` and keeps them: it answers its JVM's pid. */
async function owner(dataDir: string): Promise<Owner> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`the owner process exited with ${code}`)));
  });
  return { process: child, jvmPid: (JSON.parse(line) as { jvmPid: number }).jvmPid };
}

/** The process group of a process (the 5th field of /proc/<pid>/stat, after the command in parentheses). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe.runIf(process.platform === 'linux')('DynamoDB Local’s process', () => {
  // Two owners boot at once (a JVM each), for the two tests that need another process's emulators.
  let owners: { leftover: Owner; killed: Owner; leftoverDir: string; killedDir: string };
  beforeAll(async () => {
    const leftoverDir = tempDir();
    const killedDir = tempDir();
    const [leftover, killed] = await Promise.all([owner(leftoverDir), owner(killedDir)]);
    owners = { leftover, killed, leftoverDir, killedDir };
  }, 60_000);

  it('left running by another owner on the data dir is stopped by the next start there', async () => {
    const { leftover, leftoverDir: dataDir } = owners;

    const emulators = await startEmulators({ dataDir });
    const dynamodb = new DynamoDBClient({
      endpoint: emulators.dynamodbEndpoint,
      region: emulators.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tables = await dynamodb.send(new ListTablesCommand({}));
    dynamodb.destroy();
    const running = javaProcessesUnder(dataDir);
    const groups = running.map(processGroupOf);
    await emulators.stop();

    expect(isRunning(leftover.jvmPid)).toBe(false);
    // Its owner still runs: the pid file stopped it, not the owner's death.
    expect(leftover.process.exitCode).toBeNull();
    expect(tables.TableNames).toEqual([]);
    expect(running).toHaveLength(1);
    expect(running).not.toContain(leftover.jvmPid);
    // In a process group of its own: a terminal's Ctrl-C to this process's group misses it.
    expect(groups).toEqual(running);
    expect(groups).not.toContain(processGroupOf(process.pid));
    // Stopped with the emulators, pid file and all.
    expect(javaProcessesUnder(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'dynamodb-local.pid'))).toBe(false);
  });

  it('named by the pid file is left alone when that pid is some other process now', async () => {
    const dataDir = tempDir();
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(stranger);
    writeFileSync(join(dataDir, 'dynamodb-local.pid'), `${stranger.pid}\n`);

    await stopLeftoverEmulators(dataDir);

    expect(isRunning(stranger.pid as number)).toBe(true);
    expect(existsSync(join(dataDir, 'dynamodb-local.pid'))).toBe(false);
  });

  it('exits by itself when its owner is killed with SIGKILL', async () => {
    const { killed, killedDir } = owners;
    expect(isRunning(killed.jvmPid)).toBe(true);

    killed.process.kill('SIGKILL');

    await eventually(() => (isRunning(killed.jvmPid) ? undefined : true), {
      timeoutMs: 5000,
      what: 'the orphaned JVM exiting',
    });
    expect(javaProcessesUnder(killedDir)).toEqual([]);
  });
});
