import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { replayMessages } from '../../local/replay-messages.js';
import { createQueueWithDlq, deleteQueue, type EmulatedAws, emulatedAws } from '../helpers/emulated-aws.js';

const aws: EmulatedAws = emulatedAws();

describe('replayMessages', () => {
  it('moves every message of a dead-letter queue back to its queue, bodies unchanged', async () => {
    const { queueUrl, dlqUrl } = await createQueueWithDlq(
      aws,
      `work-${randomUUID()}`,
      `dead-${randomUUID()}`,
    );
    const bodies = Array.from({ length: 23 }, (_, i) => JSON.stringify({ batch: i }));
    for (const MessageBody of bodies)
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody }));
    const reported: number[] = [];

    const result = await replayMessages(aws.sqs, dlqUrl, queueUrl, ({ moved }) => reported.push(moved));

    expect(result.moved).toBe(23);
    expect(reported.at(-1)).toBe(23);
    const received: string[] = [];
    for (let empty = 0; empty < 2; ) {
      const { Messages = [] } = await aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      empty = Messages.length === 0 ? empty + 1 : 0;
      received.push(...Messages.map((m) => m.Body as string));
    }
    expect(received.sort()).toEqual([...bodies].sort());
    const { Messages: left = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }),
    );
    expect(left).toEqual([]);
    await Promise.all([deleteQueue(aws, queueUrl), deleteQueue(aws, dlqUrl)]);
  });
});
