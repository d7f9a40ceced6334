import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { LocalConfig } from '../../local/local-config.js';
import { type LocalHub, startLocalHub } from '../../local/start.js';

// The whole local hub (emulators, gateway, event sources, seed) in this process, on a free port
// and a throw-away data dir; the tests talk to it over HTTP and SQS only, like real clients.

let hub: LocalHub | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject) {
  dataDir = mkdtempSync(join(tmpdir(), 'schakel-e2e-'));
  hub = await startLocalHub({ port: 0, dataDir, quiet: true });
  project.provide('localConfig', hub.localConfig);
}

export async function teardown() {
  await hub?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    localConfig: LocalConfig;
  }
}
