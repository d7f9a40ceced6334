import * as z from 'zod/mini';
import { CLIENT_ROLES } from '../domain/vocabulary.js';
import { acrossFields, CursorQuerySchema, DateTimeSchema, MunicipalityCodeSchema, pageOf } from './common.js';

// Shaped after NEN 7513 (logging of access to health data) and BIO 8.15: what, when, outcome,
// who, on whose behalf, which object, why. Never the BSN, a name or free text: the pupil is a
// keyed pseudonym.

export const AUDIT_ACTIONS = ['C', 'R', 'U', 'D', 'E'] as const;

export const AUDIT_RECOVERY_METHODS = ['stream', 'current-version'] as const;
export type AuditRecovery = {
  method: (typeof AUDIT_RECOVERY_METHODS)[number];
  reason: 'record-age-exceeded' | 'retries-exhausted';
};

export const AUDIT_EVENT_TYPES = [
  'signal.received',
  'signal.routed',
  'signal.unroutable',
  'signal.withdrawn',
  'signal.read',
  'referral.queued',
  'referral.delivered',
  'referral.accepted',
  'referral.started',
  'referral.closed',
  'referral.rejected',
  'referral.withdrawn',
  'referral.read',
  // Added with the audit export: reads of the audit trail itself, retention and purges.
  'audit-trail.read',
  'audit-trail.subject-access',
  'audit-trail.retention-applied',
  'audit-export.requested',
  'audit-export.downloaded',
  'signal.purged',
  'referral.purged',
  // Added with "every signal finds help": the municipality's assignment, the escalation.
  'signal.assigned',
  'referral.overdue',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const AUDIT_OBJECT_TYPES = ['signal', 'referral', 'audit-trail', 'audit-export'] as const;
export type AuditObjectType = (typeof AUDIT_OBJECT_TYPES)[number];

export const AuditActorSchema = z.object({
  clientId: z.string(),
  role: z.enum([...CLIENT_ROLES, 'system']),
  organisation: z.optional(z.string()),
  user: z.optional(
    z.string().check(z.meta({ description: 'Individual user id as passed by the calling system.' })),
  ),
});
export type AuditActor = z.infer<typeof AuditActorSchema>;

const Sha256Schema = z.string().check(z.length(64));

export const AuditEventSchema = z
  .object({
    id: z.string(),
    municipality: MunicipalityCodeSchema,
    sequence: z.int().check(z.gte(1)),
    occurredAt: DateTimeSchema,
    recordedAt: DateTimeSchema,
    action: z
      .enum(AUDIT_ACTIONS)
      .check(z.meta({ description: 'C create, R read, U update, D delete, E execute.' })),
    eventType: z.enum(AUDIT_EVENT_TYPES),
    outcome: z.enum(['success', 'failure']),
    actor: AuditActorSchema,
    onBehalfOf: z.optional(
      z.object({ schoolLocation: z.optional(z.string()), teamId: z.optional(z.string()) }),
    ),
    object: z.object({
      type: z.enum(AUDIT_OBJECT_TYPES).check(
        z.meta({
          description:
            '`audit-trail` is a municipality’s trail itself (id: the municipality code), read or ' +
            'trimmed by retention; `audit-export` an export of it (id: the export id).',
        }),
      ),
      id: z.string(),
      signalId: z.optional(z.string()),
      pupilPseudonym: z.optional(z.string()),
      version: z.optional(
        z.int().check(
          z.gte(1),
          z.meta({
            description:
              'The version of the object this event records: a change raises it by one, so a ' +
              'verifier sees a missing change as a missing version. A read names the version read.',
          }),
        ),
      ),
    }),
    recovery: z.optional(
      z
        .object({
          method: z.enum(AUDIT_RECOVERY_METHODS),
          reason: z.enum(['record-age-exceeded', 'retries-exhausted']),
        })
        .check(
          z.meta({
            description:
              'Present when the change was appended late, by the recovery path after the stream ' +
              'gave it up: `stream` re-read the change itself; `current-version` found only the ' +
              "object's current version (the versions before it show as a gap).",
          }),
        ),
    ),
    purpose: z.string(),
    details: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
    prevHash: Sha256Schema,
    hash: Sha256Schema,
  })
  .register(z.globalRegistry, { id: 'AuditEvent' });

export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditQuerySchema = z
  .extend(CursorQuerySchema, {
    municipality: MunicipalityCodeSchema.check(
      z.meta({ description: 'The municipality whose trail to read.' }),
    ),
    from: z.optional(
      DateTimeSchema.check(z.meta({ description: 'Only events that occurred at or after this moment.' })),
    ),
    to: z.optional(
      DateTimeSchema.check(z.meta({ description: 'Only events that occurred before this moment.' })),
    ),
  })
  .check(
    acrossFields(['from', 'to'], (query, ctx) => {
      // Compared as instants: '10:00+01:00' is before '09:30Z', whatever the strings say.
      if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
      }
    }),
  );
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditPageSchema = pageOf(AuditEventSchema).register(z.globalRegistry, { id: 'AuditEventPage' });
