import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, parse, resolve } from 'node:path';
import { stopLeftoverEmulators } from './emulators/emulators.js';
import { runningHubPid } from './hub-lock.js';
import { dataDirFromEnv, LOCAL_CONFIG_FILE } from './local-config.js';

// `npm run reset`: forget all local state — tables, queues, stream checkpoints, pseudonym key and
// API keys. Refuses while a hub runs on the data dir, and refuses a directory that is not one.

const dataDir = resolve(dataDirFromEnv());
const looksLikeHubData = [LOCAL_CONFIG_FILE, 'data', 'pseudonym-key', 'hub.pid'].some((entry) =>
  existsSync(join(dataDir, entry)),
);

if (!existsSync(dataDir)) {
  console.log(`nothing to reset: ${dataDir} does not exist`);
} else if ([parse(dataDir).root, homedir(), process.cwd()].includes(dataDir) || !looksLikeHubData) {
  console.error(`refusing to delete ${dataDir}: it is not a Schakel data dir (check SCHAKEL_DATA_DIR)`);
  process.exitCode = 1;
} else {
  const pid = runningHubPid(dataDir);
  if (pid !== undefined) {
    console.error(`a local hub (pid ${pid}) is running on ${dataDir}: stop it (Ctrl-C) before resetting`);
    process.exitCode = 1;
  } else {
    // A DynamoDB Local left by a killed hub would keep writing into the deleted database.
    await stopLeftoverEmulators(join(dataDir, 'data'));
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`deleted ${dataDir}; the next \`npm start\` begins empty, with new API keys`);
  }
}
