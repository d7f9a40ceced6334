import type { AuditPage } from './audit-log.js';

/** One pupil's events in a municipality's audit trail, oldest first (subject access, AVG art. 15). */
export interface PupilAuditTrail {
  listForPupil(query: {
    municipality: string;
    pupilPseudonym: string;
    limit: number;
    cursor?: string | undefined;
  }): Promise<AuditPage>;
}
