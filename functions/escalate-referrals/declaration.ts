import { declareFunction } from '../shared/declarations.js';
import { LOG_EVENTS } from '../shared/log-events.js';

export const ESCALATE_REFERRALS = declareFunction({
  name: 'escalate-referrals',
  description: 'Hourly: tells teams and municipalities about referrals past the goal without help started',
  // A run reads only the due partitions (a few items each); the margin leaves room for a backlog.
  timeoutSeconds: 300,
  memoryMb: 512,
  environment: ['STATE_TABLE_NAME', 'DEPLOYMENT_NAME', 'SCHAKEL_DEPLOYMENT_CONFIG'],
  access: { stateTable: 'read-write', teamQueues: 'send' },
  logMetrics: [
    {
      event: LOG_EVENTS.referralOverdue,
      metricName: 'ReferralsOverdue',
      dimensions: { Municipality: '$.municipality' },
    },
  ],
  trigger: {
    kind: 'schedule',
    // Every hour on the hour: a referral is escalated at most an hour after its goal passed.
    cron: '0 * * * ? *',
    // Local mode runs it every 6 s: a demo (and the e2e test) sees an overdue referral at once. A run
    // reads only the due partitions, a few items each.
    localFirstAfterSeconds: 5,
    localEveryMinutes: 0.1,
  },
});
