// The log event catalog: every structured log line's `event` comes from here (snake_case, past
// tense). Log lines carry ids, statuses and counts — never a BSN, a name or free text.

export const LOG_EVENTS = {
  requestCompleted: 'request_completed',
  requestFailed: 'request_failed',
  clientAuthenticated: 'client_authenticated',
  clientRejected: 'client_rejected',
  signalReceived: 'signal_received',
  signalResubmitted: 'signal_resubmitted',
  signalConflicted: 'signal_conflicted',
  signalEnqueued: 'signal_enqueued',
  signalEnqueueFailed: 'signal_enqueue_failed',
  signalBatchProcessed: 'signal_batch_processed',
  signalWithdrawn: 'signal_withdrawn',
  signalRouted: 'signal_routed',
  signalUnroutable: 'signal_unroutable',
  signalSkipped: 'signal_skipped',
  referralQueued: 'referral_queued',
  referralUpdated: 'referral_updated',
  referralRead: 'referral_read',
  referralTransitionRefused: 'referral_transition_refused',
  teamNotified: 'team_notified',
  auditAppended: 'audit_appended',
  auditAppendFailed: 'audit_append_failed',
  auditRecoveredLate: 'audit_recovered_late',
  auditRecordIgnored: 'audit_record_ignored',
  auditTrailRead: 'audit_trail_read',
  subjectAccessAnswered: 'subject_access_answered',
  batchItemFailed: 'batch_item_failed',
  retentionApplied: 'retention_applied',
  auditTrailTrimmed: 'audit_trail_trimmed',
  retentionItemFailed: 'retention_item_failed',
} as const;

export type LogEvent = (typeof LOG_EVENTS)[keyof typeof LOG_EVENTS];
