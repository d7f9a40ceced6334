import { readdirSync, readFileSync } from 'node:fs';

// What the benchmarks read of other processes on Linux (/proc): the CPU they used, and which one
// is DynamoDB Local's JVM. Elsewhere they answer undefined and the figures say n/a.

/** CPU seconds a Linux process has used (user + system), from /proc; undefined elsewhere. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5), counted from the state field (3): utime, stime in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The JVM started with `-port <port>` (DynamoDB Local's launcher), if there is one. */
export function javaServingPort(port: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = args.indexOf('-port');
    if (args[0]?.endsWith('java') && at > 0 && args[at + 1] === String(port)) return Number(entry);
  }
  return undefined;
}
