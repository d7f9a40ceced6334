import { type Duration, RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RESOURCE_TAG, type ResourceKind, TEAM_TAG } from '../resource-tags.js';
import { DEAD_LETTER_RETENTION, MAX_RECEIVE_COUNT } from '../settings.js';

interface TaggedQueueProps {
  kind: ResourceKind;
  /** Only for queues whose name other systems are configured with (see team-queue-name.ts). */
  queueName?: string;
  teamId?: string;
}

// SQS-managed encryption rather than a KMS key: team consumers run outside this deployment and
// would each need a grant on the key; SSE-SQS encrypts at rest without that coupling.
// Retained on removal: dropping a team from the config must not delete referrals still waiting
// in its queue or DLQ (invariant 1). An operator drains and deletes a retained queue by hand.
const QUEUE_DEFAULTS = {
  encryption: QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

function tag(queue: Queue, props: TaggedQueueProps): void {
  Tags.of(queue).add(RESOURCE_TAG, props.kind);
  if (props.teamId) Tags.of(queue).add(TEAM_TAG, props.teamId);
}

/** A queue that only receives what failed elsewhere; an operator inspects and redrives it. */
export class DeadLetterQueue extends Queue {
  constructor(scope: Construct, id: string, props: TaggedQueueProps) {
    super(scope, id, {
      ...QUEUE_DEFAULTS,
      queueName: props.queueName,
      // Messages keep their original enqueue time when moved here, so the maximum leaves the most
      // time to act.
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    tag(this, props);
    Validations.of(this).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is a dead-letter queue; a dead letter of a dead letter would only hide it.',
    });
  }
}

/**
 * A work queue with the house defaults and its tag, redriving to `deadLetterQueue`; for a queue
 * whose construct id must stay where it is (QueueWithDlq nests its queue one level down).
 */
export function taggedWorkQueue(
  scope: Construct,
  id: string,
  props: TaggedQueueProps & {
    deadLetterQueue: DeadLetterQueue;
    maxReceiveCount: number;
    visibilityTimeout: Duration;
    retentionPeriod?: Duration;
  },
): Queue {
  const queue = new Queue(scope, id, {
    ...QUEUE_DEFAULTS,
    queueName: props.queueName,
    visibilityTimeout: props.visibilityTimeout,
    retentionPeriod: props.retentionPeriod,
    deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
  });
  tag(queue, props);
  return queue;
}

export interface QueueWithDlqProps {
  kind: ResourceKind;
  deadLetterKind: ResourceKind;
  queueName?: string;
  deadLetterQueueName?: string;
  teamId?: string;
  visibilityTimeout?: Duration;
  retentionPeriod?: Duration;
}

/**
 * A work queue whose messages move to their own dead-letter queue after MAX_RECEIVE_COUNT failed
 * receives, so a poison message never blocks or silently disappears (invariant 1).
 */
export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', {
      kind: props.deadLetterKind,
      queueName: props.deadLetterQueueName,
      teamId: props.teamId,
    });
    this.queue = new Queue(this, 'Queue', {
      ...QUEUE_DEFAULTS,
      queueName: props.queueName,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    tag(this.queue, props);
  }
}
