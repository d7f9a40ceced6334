import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { IntakeMessage, ReferralCloudEvent } from '../../../schemas/cloud-event.js';
import type { ExportQueue } from '../ports/audit-exports.js';
import type { IntakeQueue, TeamQueue } from '../ports/queues.js';
import { teamQueueName } from './team-queue-name.js';

export class SqsIntakeQueue implements IntakeQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: IntakeMessage): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}

/** Publishes CloudEvents (structured JSON mode) to a team's queue, found by its stable name. */
export class SqsTeamQueue implements TeamQueue {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly deployment: string,
  ) {}

  private queueUrl(teamId: string): Promise<string> {
    let url = this.urls.get(teamId);
    if (!url) {
      url = this.sqs
        .send(new GetQueueUrlCommand({ QueueName: teamQueueName(this.deployment, teamId) }))
        .then((r) => {
          if (!r.QueueUrl) throw new Error(`no queue for team ${teamId}`);
          return r.QueueUrl;
        });
      url.catch(() => this.urls.delete(teamId));
      this.urls.set(teamId, url);
    }
    return url;
  }

  async publish(teamId: string, event: ReferralCloudEvent): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: await this.queueUrl(teamId),
        MessageBody: JSON.stringify(event),
        // CloudEvents SQS binding: content mode is signalled through the content type.
        MessageAttributes: {
          'content-type': { DataType: 'String', StringValue: 'application/cloudevents+json; charset=UTF-8' },
        },
      }),
    );
  }
}

/** Asks the export function to start or continue an audit export (ids only). */
export class SqsExportQueue implements ExportQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async request(message: { exportId: string; clientId: string }): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
