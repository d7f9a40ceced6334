import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FauxqsServer } from 'fauxqs';
import { type DynamoDbLocal, startDynamoDbLocal, stopLeftoverDynamoDbLocal } from './dynamodb-local.js';
import { startFauxqsOnLoopback } from './fauxqs-on-loopback.js';

// Amazon DynamoDB Local (Java) and fauxqs (SQS), for local mode and the integration tests, both on
// 127.0.0.1 only. Each can be stopped and started again on its port and data, so tests can take a
// dependency away for real (a refused connection, as when a service is unreachable) and bring it back.

export interface Emulators {
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  /** fauxqs also serves S3 (path-style), on the same port. */
  s3Endpoint: string;
  /** Stops DynamoDB Local; startDynamoDb brings it back on the same port (and data dir, if any). */
  stopDynamoDb(): Promise<void>;
  startDynamoDb(): Promise<void>;
  /** Stops fauxqs; startSqs brings it back on the same port (and data dir, if any). */
  stopSqs(): Promise<void>;
  startSqs(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Keep data here across restarts; in memory when absent (then a restart begins empty). */
  dataDir?: string;
  dynamodbPort?: number;
  sqsPort?: number;
  region?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function dynamoDbFiles(dataDir: string) {
  return { dbPath: join(dataDir, 'dynamodb'), pidFile: join(dataDir, 'dynamodb-local.pid') };
}

/**
 * Stops what a hub that was killed (kill -9, a crash) left running on this data dir. Call it before
 * choosing ports: a leftover still holds the port the data dir's endpoints name.
 */
export async function stopLeftoverEmulators(dataDir: string): Promise<void> {
  const { dbPath, pidFile } = dynamoDbFiles(dataDir);
  await stopLeftoverDynamoDbLocal(pidFile, dbPath);
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const region = options.region ?? 'eu-west-1';
  const dynamodbPort = options.dynamodbPort ?? (await freePort());
  let sqsPort = options.sqsPort ?? (await freePort());
  while (sqsPort === dynamodbPort) sqsPort = await freePort();
  let dynamo: { dbPath?: string; pidFile?: string } = {};
  let sqsDir: string | undefined;
  if (options.dataDir) {
    await stopLeftoverEmulators(options.dataDir);
    dynamo = dynamoDbFiles(options.dataDir);
    sqsDir = join(options.dataDir, 'sqs');
    mkdirSync(dynamo.dbPath as string, { recursive: true });
    mkdirSync(sqsDir, { recursive: true });
  }

  const startDynamo = () => startDynamoDbLocal({ port: dynamodbPort, region, ...dynamo });
  const startSqs = () =>
    startFauxqsOnLoopback({
      port: sqsPort,
      logger: false,
      defaultRegion: region,
      ...(sqsDir ? { dataDir: sqsDir } : {}),
    });

  // The JVM boots (≈2 s) while fauxqs starts (≈0.1 s).
  const [dynamoStarted, sqsStarted] = await Promise.allSettled([startDynamo(), startSqs()]);
  if (dynamoStarted.status === 'rejected' || sqsStarted.status === 'rejected') {
    if (dynamoStarted.status === 'fulfilled') await dynamoStarted.value.stop();
    if (sqsStarted.status === 'fulfilled') await sqsStarted.value.stop();
    throw dynamoStarted.status === 'rejected'
      ? dynamoStarted.reason
      : (sqsStarted as PromiseRejectedResult).reason;
  }
  let dynamodb: DynamoDbLocal | undefined = dynamoStarted.value;
  let fauxqs: FauxqsServer | undefined = sqsStarted.value;

  const stopDynamoDb = async () => {
    const running = dynamodb;
    dynamodb = undefined;
    await running?.stop();
  };
  const stopSqs = async () => {
    const running = fauxqs;
    fauxqs = undefined;
    await running?.stop();
  };
  return {
    region,
    dynamodbEndpoint: `http://127.0.0.1:${dynamodbPort}`,
    sqsEndpoint: `http://127.0.0.1:${sqsPort}`,
    s3Endpoint: `http://127.0.0.1:${sqsPort}`,
    stopDynamoDb,
    async startDynamoDb() {
      dynamodb ??= await startDynamo();
    },
    stopSqs,
    async startSqs() {
      fauxqs ??= await startSqs();
    },
    async stop() {
      await Promise.all([stopSqs(), stopDynamoDb()]);
    },
  };
}
