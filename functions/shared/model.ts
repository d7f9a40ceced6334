import type { ReferralStatus } from '../../domain/referral-state.js';
import type { UnroutableReason } from '../../domain/routing.js';
import type { Concern, RequestType, SignalStatus, Urgency } from '../../domain/vocabulary.js';
import type { AuditActor, AuditEventType, AuditObjectType } from '../../schemas/audit-event.js';

// What the state table stores. Items carry `lastChange`: who did what, so the stream-driven
// audit writer can attribute every change without seeing the request.

export type AuditPurpose = 'youth-care-access' | 'accountability' | 'subject-access' | 'retention';

export interface ChangeRecord {
  eventType: AuditEventType;
  at: string;
  actor: AuditActor;
  onBehalfOf?: { schoolLocation?: string; teamId?: string };
  /**
   * Why (NEN 7513): `youth-care-access` unless given; reads of the audit trail say
   * `accountability` or `subject-access`, removals `retention`.
   */
  purpose?: AuditPurpose;
  /** Non-identifying facts for the audit (statuses, team, rule); never free text. */
  details?: Record<string, string | number | boolean | null>;
}

export interface StoredSignal {
  id: string;
  sourceClientId: string;
  sourceId: string;
  contentHash: string;
  status: SignalStatus;
  requestType: RequestType;
  schoolLocation: string;
  municipality: string;
  urgency: Urgency;
  concerns: Concern[];
  /** Age in whole years on the day of submission (given for a consultation, derived otherwise). */
  age: number;
  /**
   * The keyed pseudonym of the pupil (HMAC), never reversible without the key. It stays after the
   * retention purge: the audit events carry it already, and subject access finds a pupil's
   * signals by it.
   */
  pupilPseudonym?: string;
  /**
   * The submission, encrypted (PupilDataVault): the only copy of the pupil data and free text.
   * Absent once the retention period has removed it (`pupilDataPurgedAt`).
   */
  sealedSubmission?: string;
  /** When retention removed the pupil data; what stays serves lead-time figures and the audit. */
  pupilDataPurgedAt?: string;
  referralIds: string[];
  /** Why the signal waits for the municipality; present only while its status is `unroutable`. */
  unroutableReason?: UnroutableReason;
  /** The day the school's care team (ZAT) discussed the pupil, as the school gave it. */
  discussedInCareTeamOn?: string;
  /** When the two-week clock started (domain/lead-times.ts); absent on signals stored before it. */
  clockStartAt?: string;
  /** The consultation of the same school this referral follows up. */
  followsConsultation?: string;
  receivedAt: string;
  updatedAt: string;
  version: number;
  lastChange: ChangeRecord;
}

export interface ReferralHistoryEntry {
  status: ReferralStatus;
  at: string;
  /** Free text (a rejection's or an assignment's reason): shown to school and team, never logged. */
  reason?: string;
  /** With a rejection: the team the rejecting team suggests instead. */
  suggestedTeamId?: string;
}

/**
 * How a referral's team was chosen: by a routing rule, by the team that rejected the signal before
 * (its suggestion), by the team that answered the consultation the referral follows, or by the
 * municipality (an assignment).
 */
export type RoutedBy = 'rule' | 'suggestion' | 'consultation' | 'assignment';

export interface StoredReferral {
  id: string;
  signalId: string;
  teamId: string;
  municipality: string;
  ruleId: string;
  /** Absent on referrals made before re-routing existed: those were all made by a rule. */
  routedBy?: RoutedBy;
  status: ReferralStatus;
  requestType: RequestType;
  /** The school location of the signal (for lead times per school); absent on older referrals. */
  schoolLocation?: string;
  /** The signal's clock start and the instant help should have started by (lead times). */
  clockStartAt?: string;
  dueAt?: string;
  /** When escalation found the referral past its goal without having started (once). */
  overdueAt?: string;
  /** The consultation of the same school its signal follows up (copied from the signal). */
  followsConsultation?: string;
  urgency: Urgency;
  concerns: Concern[];
  pupilPseudonym?: string;
  history: ReferralHistoryEntry[];
  /** When retention removed the free-text reasons from `history`. */
  pupilDataPurgedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  lastChange: ChangeRecord;
}

/**
 * A read of pupil data or of the audit trail itself, kept in the state table until the audit
 * writer has appended it.
 */
export interface AccessRecord {
  id: string;
  municipality: string;
  objectType: AuditObjectType;
  objectId: string;
  /** The signal the object belongs to; absent for the audit trail and its exports. */
  signalId?: string;
  pupilPseudonym?: string;
  /** The version of the object that was read. */
  objectVersion?: number;
  change: ChangeRecord;
}
