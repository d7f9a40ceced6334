import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

// Moves every message of a dead-letter queue back to the queue it came from: each batch is sent to
// the target first and deleted from the source only once sent, so a crash in between leaves a
// message in both (recover-audit appends nothing twice), never in neither.

export interface ReplayProgress {
  moved: number;
}

export async function replayMessages(
  sqs: SQSClient,
  fromUrl: string,
  toUrl: string,
  onProgress: (progress: ReplayProgress) => void = () => {},
): Promise<ReplayProgress> {
  const progress: ReplayProgress = { moved: 0 };
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: fromUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        // Long enough to send and delete a batch; a crash returns it to the source after that.
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) return progress;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: toUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '' })),
      }),
    );
    if (sent.Failed?.length) {
      throw new Error(`${sent.Failed.length} messages could not be sent back; they stay in the source queue`);
    }
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: fromUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
      }),
    );
    if (deleted.Failed?.length) {
      throw new Error(
        `${deleted.Failed.length} messages were sent back but not deleted; replaying them is harmless`,
      );
    }
    progress.moved += Messages.length;
    onProgress(progress);
  }
}
