import type { AuditEvent } from '../../../schemas/audit-event.js';

/** An audit event before the chain fields are assigned by the log. */
export type AuditEntryDraft = Omit<AuditEvent, 'sequence' | 'prevHash' | 'hash' | 'recordedAt'>;

export interface AuditPage {
  items: AuditEvent[];
  next?: string;
}

export interface AuditLog {
  /**
   * Appends to the municipality's chain exactly once per `draft.id`: a repeated id is reported
   * as `duplicate` and leaves the chain as it was.
   */
  append(draft: AuditEntryDraft): Promise<'appended' | 'duplicate'>;
  list(query: {
    municipality: string;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  }): Promise<AuditPage>;
}
