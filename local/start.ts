import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { buildOpenApiDocument } from '../functions/openapi.js';
import { createDocumentClient } from '../functions/shared/adapters/dynamodb-client.js';
import { DEFAULT_CONFIG_PATH, loadDeploymentConfig } from '../infra/deployment-config.js';
import { emulatorPorts, pseudonymKey, pupilDataKey } from './data-dir.js';
import { type Emulators, startEmulators, stopLeftoverEmulators } from './emulators/emulators.js';
import type { EventSource } from './event-sources/event-source.js';
import { startSchedules } from './event-sources/schedule.js';
import { startSqsEventSource } from './event-sources/sqs.js';
import { startStreamEventSource } from './event-sources/stream.js';
import { startGateway } from './gateway/server.js';
import { acquireHubLock } from './hub-lock.js';
import {
  dataDirFromEnv,
  type LocalConfig,
  readLocalConfigIfPresent,
  schoolClient,
  writeLocalConfig,
} from './local-config.js';
import { createLocalLog, type LocalLog } from './local-log.js';
import { type LocalFunctions, requireFunction } from './runtime/local-function.js';
import { seedClients } from './seed.js';
import type { Topology } from './topology/model.js';
import { type ProvisionedTopology, provisionTopology } from './topology/provision.js';

// Local mode: the whole hub on one machine with the real handler modules. DynamoDB Local and
// fauxqs stand in for DynamoDB and SQS, gateway/ for API Gateway, event-sources/ for Lambda's
// event source mappings, runtime/ for the Lambda runtime. Tables and queues come from the CDK app
// (topology/). A hub keeps no module state: several can run in one process.

export interface LocalHubOptions {
  /** Default `PORT` or 3000; 0 picks a free port. */
  port?: number;
  /** Default `SCHAKEL_DATA_DIR` or `.schakel`. */
  dataDir?: string;
  quiet?: boolean;
  /** Where the hub's console lines go; tests collect them. Default: the console (`quiet`: errors only). */
  log?: LocalLog;
  /**
   * The tables and queues as synthesizeTopology answers for this deployment config, when the caller
   * has them already (the integration tests synthesise the CDK app once per run: 3–5 s each time).
   * Default: synthesised here.
   */
  topology?: Topology;
  /**
   * For tests: the intake queue's visibility timeout in seconds instead of the stack's (six times
   * route-signal's timeout, AWS's guidance), so a message whose routing failed returns within a test.
   */
  intakeVisibilityTimeoutSeconds?: number;
}

export interface LocalHub {
  apiUrl: string;
  localConfig: LocalConfig;
  localConfigPath: string;
  /** The hub's DynamoDB Local and fauxqs; tests stop and start them to play an outage. */
  emulators: Emulators;
  /** Names, URLs and ARNs of the hub's tables and queues. */
  resources: ProvisionedTopology;
  /**
   * The functions as the gateway and the event sources invoke them (looked up per call); fault
   * tests wrap one to time an outage to the moment it runs.
   */
  functions: LocalFunctions;
  /**
   * Stops in the order that loses nothing: the API first (new connections refused, requests in
   * flight answered, at most 10 s), then the event sources (their batch in flight finished), then
   * the emulators. Data stays in the data dir for the next start.
   */
  stop(): Promise<void>;
}

const REGION = 'eu-west-1';

function withIntakeVisibilityTimeout(topology: Topology, seconds: number | undefined): Topology {
  if (seconds === undefined) return topology;
  return {
    ...topology,
    queues: topology.queues.map((queue) =>
      queue.kind === 'intake-queue'
        ? { ...queue, attributes: { ...queue.attributes, VisibilityTimeout: String(seconds) } }
        : queue,
    ),
  };
}

export async function startLocalHub(options: LocalHubOptions = {}): Promise<LocalHub> {
  const dataDir = resolve(options.dataDir ?? dataDirFromEnv());
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  const log = options.log ?? createLocalLog(options.quiet);
  const releaseLock = acquireHubLock(dataDir);
  const cleanups: (() => Promise<void> | void)[] = [releaseLock];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.error('stopping part of the local hub failed', error);
      }
    }
  };

  try {
    const configPath = process.env.SCHAKEL_CONFIG ?? DEFAULT_CONFIG_PATH;
    const config = loadDeploymentConfig(configPath);

    log.info('starting DynamoDB Local and fauxqs…');
    const emulatorDir = join(dataDir, 'data');
    // Before the ports are chosen: a DynamoDB Local left by a killed hub still holds its port.
    await stopLeftoverEmulators(emulatorDir);
    // The JVM boots (≈2 s) while the CDK app is synthesised (≈3 s, blocking): spawned first, awaited after.
    const starting = startEmulators({
      dataDir: emulatorDir,
      region: REGION,
      ...(await emulatorPorts(dataDir)),
    });
    starting.catch(() => undefined);
    cleanups.push(() =>
      starting.then(
        (e) => e.stop(),
        () => undefined,
      ),
    );
    let synthesized = options.topology;
    if (!synthesized) {
      log.info(`reading tables and queues from the CDK app (${configPath})…`);
      // Loaded here, not at the top, so aws-cdk-lib's import also overlaps the JVM's start.
      const { synthesizeTopology } = await import('./topology/synthesize.js');
      synthesized = synthesizeTopology(config);
    }
    const topology = withIntakeVisibilityTimeout(synthesized, options.intakeVisibilityTimeoutSeconds);
    const emulators = await starting;

    log.info('creating tables and queues…');
    const resources = await provisionTopology(topology, emulators, (line) => log.error(line));

    // What the CDK app gives each function in AWS, for this hub: an environment of its own, so
    // several hubs can run in one process (test/integration/local/two-hubs.test.ts starts two).
    const functionEnv = {
      AWS_REGION: REGION,
      STATE_TABLE_NAME: resources.stateTable.name,
      AUDIT_TABLE_NAME: resources.auditTable.name,
      INTAKE_QUEUE_URL: resources.intakeQueue.url,
      DEPLOYMENT_NAME: config.deployment,
      SCHAKEL_DEPLOYMENT_CONFIG: JSON.stringify(config),
      SCHAKEL_OPENAPI_DOCUMENT: JSON.stringify(buildOpenApiDocument()),
      PSEUDONYM_KEY: pseudonymKey(dataDir),
      PUPIL_DATA_KEY: pupilDataKey(dataDir),
      DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
      SQS_ENDPOINT: emulators.sqsEndpoint,
      S3_ENDPOINT: emulators.s3Endpoint,
      AUDIT_EXPORT_QUEUE_URL: resources.auditExportQueue.url,
      EXPORT_BUCKET_NAME: resources.exportBucket.name,
      // One machine, no network and no Lambda timeouts between the parts: an append commits within
      // moments of its recordedAt, so an export may end seconds (not minutes) before it runs.
      AUDIT_EXPORT_SETTLE_SECONDS: '5',
    };
    // The handlers' JSON log lines would bury the console; `POWERTOOLS_LOG_LEVEL=INFO npm start`
    // shows them. Powertools reads the level once, when the handler modules are first loaded:
    // runtime/handlers.ts is the only module that imports them, and nothing imports it statically.
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    process.env.POWERTOOLS_SERVICE_NAME ??= 'schakel';
    const { loadFunctions } = await import('./runtime/handlers.js');
    const functions = loadFunctions(functionEnv, REGION);

    const documents = createDocumentClient({
      AWS_REGION: REGION,
      DYNAMODB_ENDPOINT: emulators.dynamodbEndpoint,
    });
    cleanups.push(() => documents.destroy());
    const previous = readLocalConfigIfPresent(dataDir);
    const teamQueueUrls = new Map([...resources.teamQueues].map(([teamId, queue]) => [teamId, queue.url]));
    const clients = await seedClients(documents, resources.stateTable.name, config, teamQueueUrls, previous);

    const sqs = new SQSClient({
      region: REGION,
      endpoint: emulators.sqsEndpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    cleanups.push(() => sqs.destroy());
    const sources: EventSource[] = [
      startSqsEventSource({
        sqs,
        queue: resources.intakeQueue,
        region: REGION,
        settings: topology.intakeMapping,
        target: requireFunction(functions, 'route-signal'),
        log,
      }),
      // The stream mapping's on-failure destination, read by recover-audit as in AWS.
      startSqsEventSource({
        sqs,
        queue: resources.auditStreamDeadLetterQueue,
        region: REGION,
        settings: topology.recoveryMapping,
        target: requireFunction(functions, 'recover-audit'),
        log,
      }),
      startSqsEventSource({
        sqs,
        queue: resources.auditExportQueue,
        region: REGION,
        settings: topology.exportMapping,
        target: requireFunction(functions, 'export-audit'),
        log,
      }),
      startStreamEventSource({
        dynamodbEndpoint: emulators.dynamodbEndpoint,
        region: REGION,
        streamArn: resources.stateTable.streamArn,
        settings: topology.streamMapping,
        target: requireFunction(functions, 'write-audit'),
        onFailure: { sqs, queue: resources.auditStreamDeadLetterQueue },
        checkpointFile: join(dataDir, 'stream-checkpoints.json'),
        log,
      }),
      // EventBridge schedules (apply-retention), played by timers.
      startSchedules({ functions, region: REGION, log }),
    ];
    cleanups.push(() => Promise.all(sources.map((s) => s.stop())).then(() => undefined));

    // Cleanups run in reverse: the gateway stops first and lets its requests finish, so what they
    // stored and queued is still routed and audited by the event sources, which stop next (after
    // their batch in flight), before the emulators go.
    const gateway = await startGateway({
      port,
      region: REGION,
      functions,
      authorizer: topology.authorizer,
      log,
    });
    cleanups.push(() => gateway.stop());

    const localConfig: LocalConfig = {
      apiUrl: gateway.url,
      sqsEndpoint: emulators.sqsEndpoint,
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      region: REGION,
      deployment: config.deployment,
      clients,
    };
    const localConfigPath = writeLocalConfig(dataDir, localConfig);
    return { apiUrl: gateway.url, localConfig, localConfigPath, emulators, resources, functions, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function quickstart(hub: LocalHub): string {
  const school = schoolClient(hub.localConfig);
  const signal = {
    sourceId: `curl-${Date.now()}`,
    schoolLocation: school.schoolLocations[0],
    requestType: 'consultation',
    concerns: ['absence'],
    urgency: 'regular',
    summary: 'Frequent absence since the autumn holiday; the care team would like advice.',
    contact: { name: 'Intern begeleider', role: 'ib', email: 'ib@example.org' },
    pupil: { age: 10, municipality: '0363' },
  };
  const where = relative(process.cwd(), hub.localConfigPath) || hub.localConfigPath;
  return [
    '',
    `Schakel runs locally at ${hub.apiUrl}`,
    `  clients, API keys and queue URLs: ${where}`,
    `  SQS endpoint for team queues:     ${hub.localConfig.sqsEndpoint}`,
    '',
    'Submit a consultation as the school:',
    `  curl -s -X POST ${hub.apiUrl}/v1/signals \\`,
    `    -H 'Authorization: Bearer ${school.apiKey}' \\`,
    "    -H 'Content-Type: application/json' \\",
    `    -d '${JSON.stringify(signal)}'`,
    '',
    'Play a school and a team end to end:  npm run demo',
    'Export and verify the audit trail:     npm run schakel -- audit export --municipality 0363 \\',
    `                                         --from ${new Date().getUTCFullYear()}-01-01T00:00:00Z --to ${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z --out exports`,
    'Handler logs:                          POWERTOOLS_LOG_LEVEL=INFO npm start',
    'Stop: Ctrl-C (data is kept)            Start afresh: npm run reset',
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let hub: LocalHub;
  try {
    hub = await startLocalHub();
  } catch (error) {
    console.error(`local hub did not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  console.log(quickstart(hub));
  let stoppingSince: number | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C reaches this process twice, from the terminal and relayed by tsx: only a later,
      // deliberate second Ctrl-C leaves at once (DynamoDB Local, in a process group of its own so
      // the terminal's Ctrl-C does not reach it, is killed on exit).
      if (Date.now() - stoppingSince > 1000) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    console.log(`\n${signal}: stopping the local hub…`);
    hub.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A closed terminal: without a handler Node would die at once, without its exit handlers.
  process.on('SIGHUP', shutdown);
}
