import type { AuditEvent } from '../../../schemas/audit-event.js';

/** An audit event before the chain fields are assigned by the log. */
export type AuditEntryDraft = Omit<AuditEvent, 'sequence' | 'prevHash' | 'hash' | 'recordedAt'>;

export interface AuditPage {
  items: AuditEvent[];
  next?: string;
}

export interface AppendOutcome {
  appended: number;
  /** Drafts whose id the chain already holds: left as they were, never appended twice. */
  duplicates: number;
}

/** An append that stopped part way: the first `done` drafts are in the chain, the rest are not. */
export class AuditAppendError extends Error {
  override name = 'AuditAppendError';
  constructor(
    message: string,
    readonly done: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface AuditLog {
  /**
   * Appends the drafts of one municipality to its chain, in the order given, exactly once per
   * `draft.id`. All or a leading part is appended; on failure it throws an `AuditAppendError`
   * saying how many leading drafts are in the chain.
   */
  append(municipality: string, drafts: readonly AuditEntryDraft[]): Promise<AppendOutcome>;
  list(query: {
    municipality: string;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<AuditPage>;
}
