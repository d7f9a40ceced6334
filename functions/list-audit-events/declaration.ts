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
      '',
      'Each call is itself recorded in the trail before the page is returned (event type `audit-trail.read`, purpose `accountability`, with the period asked for and the number of events returned); pass `Schakel-User` to name the person reading.',
    ].join('\n'),
    roles: ['municipality', 'admin'],
    query: AuditQuerySchema,
    responses: {
      200: {
        description: 'A page of audit events.',
        schema: AuditPageSchema,
        example: {
          items: [
            {
              id: 'REFERRAL#7e1d9d5f-7a1b-8d64-8a2f-1c8c9eab2d02#v2',
              municipality: '0363',
              sequence: 42,
              occurredAt: '2026-11-22T10:02:00.000Z',
              recordedAt: '2026-11-22T10:02:00.412Z',
              action: 'U',
              eventType: 'referral.delivered',
              outcome: 'success',
              actor: {
                clientId: 'team-jgt-amsterdam-centrum',
                role: 'provider',
                organisation: 'OKT Amsterdam',
                user: 'mw-042',
              },
              onBehalfOf: { teamId: 'jgt-amsterdam-centrum' },
              object: {
                type: 'referral',
                id: '7e1d9d5f-7a1b-8d64-8a2f-1c8c9eab2d02',
                signalId: '5d0c8c4e-6f0a-4c53-9f1e-0b7b8d9a1c01',
                pupilPseudonym: 'pp-3q2vQd7bYtq0c7TfQn3gJw9u6dX1mQ4e',
              },
              purpose: 'youth-care-access',
              details: { fromStatus: 'queued', toStatus: 'delivered' },
              prevHash: '9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e',
              hash: '1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c',
            },
          ],
          next: 'eyJwayI6IkNIQUlOIzAzNjMiLCJzayI6IlNFUSMwMDAwMDAwMDAwNDIifQ',
        },
      },
    },
  },
});

export const LIST_AUDIT_EVENTS = declareFunction({
  name: 'list-audit-events',
  description: 'Municipalities page through their audit trail',
  timeoutSeconds: 15,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME', 'STATE_TABLE_NAME'],
  // The state table only for the access record of each read, which its stream carries into the
  // trail like every other read.
  access: { auditTable: 'read', stateTable: 'record-reads' },
  trigger: { kind: 'api', operations: LIST_AUDIT_EVENTS_OPERATIONS },
});
