import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type ExportOutcome, exportAudit } from '../functions/export-audit/export-audit.js';
import {
  DynamoDbAuditChainReader,
  DynamoDbExportJobs,
} from '../functions/shared/adapters/dynamodb-audit-exports.js';
import { chainPartition, sequenceKey } from '../functions/shared/adapters/dynamodb-audit-log.js';
import { createDocumentClient } from '../functions/shared/adapters/dynamodb-client.js';
import { createS3Client } from '../functions/shared/adapters/s3-client.js';
import { S3ExportFiles } from '../functions/shared/adapters/s3-export-files.js';
import type { ExportJob } from '../functions/shared/ports/audit-exports.js';
import { newTimeOrderedId } from '../functions/shared/wiring.js';
import { type MemoryGrowth, MemoryWatch } from './export-analysis.js';

// One step of the export bench in a process of its own (bench/export.ts forks it), so that what it
// measures of memory is the export's alone: fauxqs, which keeps the uploaded file, and the seeding
// live in the bench's process. `query`: the baseline, a bare paginated Query over the chain;
// `export`: the real use case with the real adapters, continued in a next invocation for as long
// as it hands over. The result goes back over the IPC channel.

export interface WorkerTask {
  mode: 'query' | 'export';
  region: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  bucket: string;
  municipality: string;
  /** Entries 1…count are read. */
  count: number;
  /** The export's period (the chain's year). */
  from: string;
  to: string;
  /** What each invocation is told it has left at its start (Lambda: 15 minutes at most). */
  invocationMs: number;
  sampleEveryMs: number;
  /** Items a query page holds at most (see pageLimit in bench/export.ts). */
  pageItems: number;
}

export interface WorkerResult {
  mode: WorkerTask['mode'];
  events: number;
  ms: number;
  memory: MemoryGrowth;
  /** The kernel's high-water mark of this process's rss (bytes), at the end: a check on the samples. */
  maxRss: number;
  /** CPU seconds (user + system) of this process during the step. */
  cpuSeconds: number;
  /** The export's invocations and how each ended. */
  outcomes?: ExportOutcome[];
  handOvers?: number;
  fileKey?: string;
  manifestKey?: string;
}

const task = JSON.parse(process.argv[2] as string) as WorkerTask;
const documents = createDocumentClient({ AWS_REGION: task.region, DYNAMODB_ENDPOINT: task.dynamodbEndpoint });
// DynamoDB Local reads every item left in a query's key range for each page, then cuts the page at
// 1 MB: a chain of a million takes hours to page through. AWS stops at 1 MB. A query without a
// Limit (the reader's and the baseline's alike) gets the item count of a 1 MB page of this chain.
documents.middlewareStack.add(
  (next) => async (args) => {
    const input = args.input as { KeyConditionExpression?: string; Limit?: number };
    if (input.KeyConditionExpression !== undefined && input.Limit === undefined) input.Limit = task.pageItems;
    return next(args);
  },
  { step: 'initialize', name: 'benchPageItems' },
);

async function bareQuery(): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    // The reader's query: the same key range, the same projection, DynamoDB's own 1 MB pages.
    const result = await documents.send(
      new QueryCommand({
        TableName: task.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
        ExpressionAttributeValues: {
          ':pk': chainPartition(task.municipality),
          ':first': sequenceKey(1),
          ':last': sequenceKey(task.count),
        },
        ProjectionExpression: 'entry',
        ExclusiveStartKey: startKey,
      }),
    );
    count += result.Items?.length ?? 0;
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return count;
}

async function runExport(): Promise<Omit<WorkerResult, 'mode' | 'ms' | 'memory' | 'maxRss' | 'cpuSeconds'>> {
  const s3 = createS3Client({ AWS_REGION: task.region, S3_ENDPOINT: task.s3Endpoint });
  const handOvers: { exportId: string; clientId: string }[] = [];
  const jobs = new DynamoDbExportJobs(documents, task.tableName);
  const deps = {
    jobs,
    chain: new DynamoDbAuditChainReader(documents, task.tableName),
    checkpoints: { readCheckpoint: async () => undefined },
    files: new S3ExportFiles(s3, task.bucket),
    queue: {
      request: async (message: { exportId: string; clientId: string }) => {
        handOvers.push(message);
      },
    },
    // A day after the period: nothing of it is still settling.
    now: () => new Date(Date.parse(task.to) + 86_400_000),
    fileRetentionDays: 7,
  };
  const at = new Date().toISOString();
  const job: ExportJob = {
    id: newTimeOrderedId(),
    clientId: 'bench-municipality',
    municipality: task.municipality,
    from: task.from,
    to: task.to,
    format: 'ndjson',
    status: 'pending',
    createdAt: at,
    updatedAt: at,
    revision: 1,
  };
  await jobs.create(job);
  const outcomes: ExportOutcome[] = [];
  const message = { exportId: job.id, clientId: job.clientId };
  for (let invocation = 1; outcomes.at(-1) === undefined || outcomes.at(-1) === 'handed-over'; invocation++) {
    if (invocation > 100) throw new Error('the export kept handing over');
    const deadline = Date.now() + task.invocationMs;
    outcomes.push(
      await exportAudit(deps, message, {
        id: `bench-${invocation}`,
        remainingMs: () => deadline - Date.now(),
      }),
    );
  }
  const done = await jobs.get(job.id);
  if (outcomes.at(-1) !== 'done' || !done?.fileKey || !done.manifestKey) {
    throw new Error(`the export ended ${outcomes.join(', ')}: ${done?.failure ?? 'no file'}`);
  }
  s3.destroy();
  return {
    events: done.eventCount ?? 0,
    outcomes,
    handOvers: handOvers.length,
    fileKey: done.fileKey,
    manifestKey: done.manifestKey,
  };
}

async function main(): Promise<WorkerResult> {
  const watch = new MemoryWatch(() => process.memoryUsage(), task.sampleEveryMs);
  const cpuBefore = process.cpuUsage();
  watch.start();
  const started = performance.now();
  const outcome = task.mode === 'query' ? { events: await bareQuery() } : await runExport();
  const ms = performance.now() - started;
  const memory = watch.stop();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    mode: task.mode,
    ...outcome,
    ms,
    memory,
    maxRss: process.resourceUsage().maxRSS * 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

main().then(
  (result) => {
    documents.destroy();
    process.send?.(result, () => process.exit(0));
  },
  (error: unknown) => {
    process.stderr.write(`export bench worker (${task.mode}): ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
