import { readdirSync, readFileSync } from 'node:fs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../functions/shared/adapters/dynamodb-client.js';
import { schoolClient } from '../../../local/local-config.js';
import type { LocalHub } from '../../../local/start.js';
import { consultationSubmission } from '../../helpers/factories.js';

// What the tests of a whole local hub share: submitting as the seeded school over HTTP, reading the
// hub's state table directly, waiting for an asynchronous outcome, and finding DynamoDB Local JVMs.

/** What a client of a hub needs: a hub of this process, or one in another process (its local.json). */
export type HubAddress = Pick<LocalHub, 'apiUrl' | 'localConfig'>;

/** What a client saw: an HTTP answer, or the connection failing (with Node's error code). */
export type Outcome =
  | { kind: 'answer'; status: number; contentType: string | null; retryAfter: string | null; body: unknown }
  | { kind: 'failed'; code: string };

/** A consultation for the hub's seeded school; the municipality decides where it is routed. */
export function submissionFor(hub: HubAddress, sourceId: string, municipality = '0363') {
  const school = schoolClient(hub.localConfig);
  return consultationSubmission({
    sourceId,
    schoolLocation: school.schoolLocations[0],
    pupil: { age: 10, municipality },
  });
}

/** A request as the hub's seeded school, or as the client whose `apiKey` is given. */
export async function call(
  hub: HubAddress,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  apiKey = schoolClient(hub.localConfig).apiKey,
): Promise<Outcome> {
  try {
    const response = await fetch(`${hub.apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      kind: 'answer',
      status: response.status,
      contentType: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
      body: text ? (JSON.parse(text) as unknown) : null,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return { kind: 'failed', code: typeof cause?.code === 'string' ? cause.code : String(error) };
  }
}

export const submit = (hub: HubAddress, body: unknown) => call(hub, 'POST', '/v1/signals', body);
export const getSignal = (hub: HubAddress, id: string) => call(hub, 'GET', `/v1/signals/${id}`);

/** The HTTP answer of an outcome; a failed connection fails the test. */
export function answered(outcome: Outcome): Extract<Outcome, { kind: 'answer' }> {
  if (outcome.kind !== 'answer')
    throw new Error(`expected an HTTP answer, the connection failed: ${outcome.code}`);
  return outcome;
}

/** The signal id of a 202, or undefined. */
export function acceptedId(outcome: Outcome): string | undefined {
  if (outcome.kind !== 'answer' || outcome.status !== 202) return undefined;
  return (outcome.body as { id: string }).id;
}

export function documentsOf(hub: HubAddress): DynamoDBDocumentClient {
  return createDocumentClient({
    AWS_REGION: hub.localConfig.region,
    DYNAMODB_ENDPOINT: hub.localConfig.dynamodbEndpoint,
  });
}

/** Every item of a table (the tables of these tests hold a few hundred items at most). */
export async function scanAll(documents: DynamoDBDocumentClient, table: string) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export interface StoredState {
  signals: { id: string; sourceId: string; status: string; version: number; referralIds: string[] }[];
  referrals: { id: string; signalId: string; teamId: string; status: string; version: number }[];
}

/** The signals and referrals in the hub's state table. */
export async function storedState(hub: LocalHub, documents: DynamoDBDocumentClient): Promise<StoredState> {
  const items = await scanAll(documents, hub.resources.stateTable.name);
  return {
    signals: items
      .filter((i) => i.entity === 'signal')
      .map((i) => ({
        id: String(i.id),
        sourceId: String(i.sourceId),
        status: String(i.status),
        version: Number(i.version),
        referralIds: (i.referralIds as string[] | undefined) ?? [],
      })),
    referrals: items
      .filter((i) => i.entity === 'referral')
      .map((i) => ({
        id: String(i.id),
        signalId: String(i.signalId),
        teamId: String(i.teamId),
        status: String(i.status),
        version: Number(i.version),
      })),
  };
}

export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 20_000, what = 'condition' }: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Live Java processes with an argument under `dir` (Linux: /proc). */
export function javaProcessesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const under = (a: string) => a === dir || a.startsWith(`${dir}/`);
    if (args[0]?.endsWith('java') && args.some(under)) found.push(Number(entry));
  }
  return found;
}

/** Whether a process runs (Linux); a zombie, dead but not yet reaped by whoever adopted it, does not. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A hub log that keeps its error lines (for assertions) instead of printing them. */
export function recordingLog() {
  const errors: string[] = [];
  return {
    errors,
    log: {
      info: () => undefined,
      error: (line: string, error?: unknown) => {
        errors.push(error instanceof Error ? `${line}: ${error.name}` : line);
      },
    },
  };
}
