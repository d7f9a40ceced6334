import { declareFunction } from '../shared/declarations.js';

export const APPLY_RETENTION = declareFunction({
  name: 'apply-retention',
  description: 'Daily: removes pupil data past its retention period and audit years past theirs',
  // Lambda's maximum: a run scans the state table and may delete a whole year of a large chain.
  // It stops STOP_MARGIN_MS before the end and the next run continues.
  timeoutSeconds: 900,
  memoryMb: 512,
  environment: ['STATE_TABLE_NAME', 'AUDIT_TABLE_NAME', 'SCHAKEL_DEPLOYMENT_CONFIG'],
  access: { stateTable: 'read-write', auditTable: 'read-write' },
  trigger: {
    kind: 'schedule',
    // 02:15 UTC is 03:15 in Amsterdam in winter and 04:15 in summer (EventBridge rules run in
    // UTC): the quietest hours either way, after midnight so a run sees the new day.
    cron: '15 2 * * ? *',
    localFirstAfterSeconds: 60,
    localEveryMinutes: 60,
  },
});
