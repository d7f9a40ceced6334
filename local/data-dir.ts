import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as z from 'zod';
import { freePort } from './emulators/emulators.js';

// What a hub keeps in its data dir besides the emulators' data and local.json: the pseudonym key,
// the pupil data key and the emulator ports, all reused by the next start on the same data dir.

/** A random secret kept in the data dir, made on first use; reused by every later start. */
function dataDirSecret(
  dataDir: string,
  name: string,
  encoding: 'base64' | 'base64url',
  minLength: number,
): string {
  const file = join(dataDir, name);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= minLength) return existing;
  } catch {
    // first start
  }
  const secret = randomBytes(32).toString(encoding);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** A random key for pupil pseudonyms, made once per data dir (AWS keeps it in Secrets Manager). */
export function pseudonymKey(dataDir: string): string {
  return dataDirSecret(dataDir, 'pseudonym-key', 'base64url', 32);
}

/**
 * The AES key (base64 of 32 bytes) that seals pupil data locally, made once per data dir: AWS wraps
 * each data key with the deployment's KMS key instead. A new key would leave stored signals unreadable.
 */
export function pupilDataKey(dataDir: string): string {
  return dataDirSecret(dataDir, 'pupil-data-key', 'base64', 44);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
  });
}

const PortsSchema = z.object({ dynamodb: z.number().int().positive(), sqs: z.number().int().positive() });

/**
 * The emulators keep their ports across restarts when they can: fauxqs stores queue URLs with the
 * port they were created on, and a team consumer configured with the SQS endpoint keeps working.
 */
export async function emulatorPorts(dataDir: string): Promise<{ dynamodbPort: number; sqsPort: number }> {
  const file = join(dataDir, 'ports.json');
  let saved: z.infer<typeof PortsSchema> | undefined;
  try {
    saved = PortsSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    saved = undefined;
  }
  const reuse = async (port: number | undefined) => (port && (await portIsFree(port)) ? port : freePort());
  const dynamodbPort = await reuse(saved?.dynamodb);
  let sqsPort = await reuse(saved?.sqs);
  while (sqsPort === dynamodbPort) sqsPort = await freePort();
  writeFileSync(file, `${JSON.stringify({ dynamodb: dynamodbPort, sqs: sqsPort })}\n`);
  return { dynamodbPort, sqsPort };
}
