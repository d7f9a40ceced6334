import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
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
 * The team queues seen from outside. While signals flow the bench only counts the messages (a
 * team's consumer receiving and deleting would add fauxqs work to the hub's own process, which in
 * AWS is not the hub's); afterwards it drains them and notes per signal when its CloudEvent was
 * put on the queue. SentTimestamp is stamped by the queue itself, so when the bench reads a
 * message does not change the figure.
 */
export class TeamQueues {
  readonly arrivals = new Map<string, Arrival>();
  /** Messages received for a signal already seen: SQS delivers at least once. */
  redeliveries = 0;
  unreadable = 0;
  private readonly sqs: SQSClient;

  constructor(
    config: LocalConfig,
    private readonly queueUrls: ReadonlyMap<string, string>,
  ) {
    this.sqs = new SQSClient({
      region: config.region,
      endpoint: config.sqsEndpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  /** Messages on all team queues, visible or not. */
  async depth(): Promise<number> {
    const counts = await Promise.all(
      [...this.queueUrls.values()].map(async (url) => {
        const { Attributes = {} } = await this.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return (
          Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
        );
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Receives and deletes every message on the team queues, noting each signal's first arrival. */
  async drain(): Promise<void> {
    await Promise.all([...this.queueUrls].map(([teamId, url]) => this.drainOne(teamId, url)));
  }

  private async drainOne(teamId: string, queueUrl: string): Promise<void> {
    for (;;) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 600,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) this.note(teamId, message.Body, message.Attributes?.SentTimestamp);
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
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

  stop(): void {
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
