// Tags that mark the tables and queues in the synthesized templates. Local mode reads the stateful
// stack's template and finds the resources it must create in the emulators by these tags, so a
// resource renamed in CDK keeps working locally.

export const RESOURCE_TAG = 'schakel:resource';
export const TEAM_TAG = 'schakel:team-id';
/** On every taggable resource of both stacks, for cost allocation per deployment. */
export const DEPLOYMENT_TAG = 'schakel:deployment';

export const RESOURCE_KINDS = [
  'state-table',
  'audit-table',
  'intake-queue',
  'intake-dlq',
  'audit-stream-dlq',
  'audit-recovery-dlq',
  'team-queue',
  'team-dlq',
  'audit-export-queue',
  'audit-export-dlq',
  'export-bucket',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
