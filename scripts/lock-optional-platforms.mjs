// The registry this project installs from serves only the Linux builds of some packages with
// per-platform binaries (Biome). `npm install` then leaves the other platforms' optional packages
// out of package-lock.json, and `npm ci` refuses the lock as "out of sync". This records them
// with their os/cpu/libc, so npm ci skips them on Linux without ever fetching them.
// Run after changing dependencies: `node scripts/lock-optional-platforms.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const PACKAGES = ['@biomejs/biome'];
const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const entries = lock.packages;
let added = 0;

for (const name of PACKAGES) {
  const parent = entries[`node_modules/${name}`];
  if (!parent) continue;
  for (const [dependency, version] of Object.entries(parent.optionalDependencies ?? {})) {
    const key = `node_modules/${dependency}`;
    if (entries[key]) continue;
    // Platform packages are named <scope>/cli-<os>-<cpu>[-musl].
    const match = /cli-([a-z0-9]+)-([a-z0-9]+)(-musl)?$/.exec(dependency);
    if (!match) throw new Error(`cannot tell the platform of ${dependency}`);
    const [, os, cpu, musl] = match;
    entries[key] = {
      version,
      cpu: [cpu],
      dev: parent.dev ?? false,
      ...(musl ? { libc: ['musl'] } : {}),
      license: parent.license,
      optional: true,
      os: [os],
    };
    added++;
  }
}

lock.packages = Object.fromEntries(
  Object.entries(entries).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`recorded ${added} optional platform package(s)`);
