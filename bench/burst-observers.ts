import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { signalKey } from '../functions/shared/adapters/state-items.js';
import type { LocalConfig, LocalMunicipalityClient } from '../local/local-config.js';
import { type AuditEvent, AuditPageSchema } from '../schemas/audit-event.js';
import { ReferralCloudEventSchema } from '../schemas/cloud-event.js';
import { call, type HubAddress } from '../test/integration/local/hub-support.js';

// How the burst bench sees the hub from outside: the team queues as a team's consumer drains them,
// the audit chains' heads while it waits, the audit trail as a municipality reads it, and the
// state table's signals and referrals.

/** A referral's first arrival on its team's queue. */
export interface Arrival {
  teamId: string;
  /** SQS's SentTimestamp: when route-signal's SendMessage put it on the queue (epoch ms). */
  sentAt: number;
}

/**
 * Drains every team queue the way a team's consumer would (receive up to 10, delete them), and
 * notes per signal when its CloudEvent was put on the queue. SentTimestamp is stamped by the queue
 * itself, so how fast this drains does not change the figure.
 */
export class TeamQueueWatch {
  readonly arrivals = new Map<string, Arrival>();
  /** Messages received for a signal already seen: SQS delivers at least once. */
  redeliveries = 0;
  unreadable = 0;
  private readonly sqs: SQSClient;
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(config: LocalConfig, queueUrls: ReadonlyMap<string, string>) {
    this.sqs = new SQSClient({
      region: config.region,
      endpoint: config.sqsEndpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    this.loops = [...queueUrls].map(([teamId, url]) => this.drain(teamId, url));
  }

  private async drain(teamId: string, queueUrl: string): Promise<void> {
    while (this.running) {
      try {
        const { Messages = [] } = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: 600,
            MessageSystemAttributeNames: ['SentTimestamp'],
          }),
        );
        for (const message of Messages) this.note(teamId, message.Body, message.Attributes?.SentTimestamp);
        if (Messages.length > 0) {
          await this.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      } catch {
        // The hub is stopping, or fauxqs is busy: an undeleted message simply comes back.
        await sleep(250);
      }
    }
  }

  private note(teamId: string, body: string | undefined, sentTimestamp: string | undefined): void {
    let json: unknown;
    try {
      json = JSON.parse(body ?? '');
    } catch {
      json = undefined;
    }
    const event = ReferralCloudEventSchema.safeParse(json);
    if (!event.success || sentTimestamp === undefined) {
      this.unreadable += 1;
      return;
    }
    const { signalId } = event.data.data;
    if (this.arrivals.has(signalId)) this.redeliveries += 1;
    else this.arrivals.set(signalId, { teamId, sentAt: Number(sentTimestamp) });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.sqs.destroy();
  }
}

/**
 * The number of events in every municipality's chain: the sum of their heads' sequences (the
 * layout of functions/shared/adapters/dynamodb-audit-log.ts: `CHAIN#<code>`/`HEAD`).
 */
export async function auditEventCount(
  documents: DynamoDBDocumentClient,
  auditTable: string,
  municipalities: readonly string[],
): Promise<number> {
  const heads = await Promise.all(
    municipalities.map((code) =>
      documents.send(
        new GetCommand({
          TableName: auditTable,
          Key: { pk: `CHAIN#${code}`, sk: 'HEAD' },
          ConsistentRead: true,
        }),
      ),
    ),
  );
  return heads.reduce((sum, { Item }) => sum + (Item ? Number(Item.sequence) : 0), 0);
}

/** A municipality's whole audit trail as it reads it: `GET /v1/audit-events`, page by page. */
export async function auditTrail(hub: HubAddress, client: LocalMunicipalityClient): Promise<AuditEvent[]> {
  const municipality = client.municipalities[0] as string;
  const events: AuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ municipality, limit: '100', ...(cursor ? { cursor } : {}) });
    const outcome = await call(hub, 'GET', `/v1/audit-events?${query}`, undefined, client.apiKey);
    if (outcome.kind !== 'answer' || outcome.status !== 200) {
      throw new Error(
        `GET /v1/audit-events for ${municipality} answered ${outcome.kind === 'answer' ? outcome.status : outcome.code}`,
      );
    }
    const page = AuditPageSchema.parse(outcome.body);
    events.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return events;
}

export interface StateRow {
  entity: 'signal' | 'referral';
  id: string;
  status: string;
  sourceId?: string;
  signalId?: string;
  teamId?: string;
  createdAt?: string;
}

/** The signals and referrals of the state table, only the attributes the checks need. */
export async function stateRows(documents: DynamoDBDocumentClient, stateTable: string): Promise<StateRow[]> {
  const rows: StateRow[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: stateTable,
        ProjectionExpression: 'entity, id, #status, sourceId, signalId, teamId, createdAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (item.entity === 'signal' || item.entity === 'referral') rows.push(item as StateRow);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return rows;
}

/** The mean size of some stored signal items (their JSON), for raw writes of the same size. */
export async function meanSignalItemBytes(
  documents: DynamoDBDocumentClient,
  stateTable: string,
  signalIds: readonly string[],
): Promise<number> {
  const sample = signalIds.slice(0, 60);
  const items = await Promise.all(
    sample.map((id) => documents.send(new GetCommand({ TableName: stateTable, Key: signalKey(id) }))),
  );
  const sizes = items.map(({ Item }) => Buffer.byteLength(JSON.stringify(Item ?? {})));
  return Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length));
}
