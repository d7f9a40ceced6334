import { AuditPageSchema, AuditQuerySchema } from '../../schemas/audit-event.js';
import { declareFunction, operations } from '../shared/declarations.js';

export const LIST_AUDIT_EVENTS_OPERATIONS = operations({
  listAuditEvents: {
    method: 'GET',
    path: '/v1/audit-events',
    summary: 'A municipality’s hash-chained audit trail, oldest first',
    description: [
      'Every change to a signal or referral of pupils living in the municipality, and every read of their data: who (client, organisation, user), what (action C/R/U/D/E and event type), when, on whose behalf, which object (ids and a pupil pseudonym, never a BSN) and why (NEN 7513).',
      '',
      'Each event carries `sequence`, `prevHash` and `hash`: `hash` is the SHA-256 of `prevHash`, a newline and the event without `hash` as RFC 8785 canonical JSON; the first event’s `prevHash` is 64 zeros. A page can be verified on its own from the previous page’s last hash. A municipality client reads its own codes; another code is a 404. Admins read any.',
    ].join('\n'),
    roles: ['municipality', 'admin'],
    query: AuditQuerySchema,
    responses: { 200: { description: 'A page of audit events.', schema: AuditPageSchema } },
  },
});

export const LIST_AUDIT_EVENTS = declareFunction({
  name: 'list-audit-events',
  description: 'Municipalities page through their audit trail',
  timeoutSeconds: 15,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME'],
  access: { auditTable: 'read' },
  trigger: { kind: 'api', operations: LIST_AUDIT_EVENTS_OPERATIONS },
});
