import { declareFunction } from '../shared/declarations.js';
import { LOG_EVENTS } from '../shared/log-events.js';

export const ROUTE_SIGNAL = declareFunction({
  name: 'route-signal',
  description: 'Intake queue → referral for the responsible team + message on its queue',
  // A batch of 10 intake messages, each a few DynamoDB writes and one SQS send.
  timeoutSeconds: 30,
  memoryMb: 512,
  environment: ['STATE_TABLE_NAME', 'DEPLOYMENT_NAME', 'SCHAKEL_DEPLOYMENT_CONFIG'],
  access: { stateTable: 'read-write', teamQueues: 'send' },
  // A batching window long enough for the intake to gather a batch, short enough that schools hardly
  // notice. Up to 8 batches at once: enough to keep up with a burst of a few hundred signals a
  // second (DynamoDB on-demand and SQS are far from their limits there), few enough not to starve
  // the API of Lambda concurrency in a shared account.
  // Each signal parked for its municipality: an alarm can watch the count per municipality.
  logMetrics: [
    {
      event: LOG_EVENTS.signalUnroutable,
      metricName: 'SignalsUnroutable',
      dimensions: { Municipality: '$.municipality', Reason: '$.reason' },
    },
  ],
  trigger: { kind: 'intake-queue', batchSize: 10, maxBatchingWindowSeconds: 1, maxConcurrency: 8 },
});
