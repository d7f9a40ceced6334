import * as z from 'zod/mini';
import { acrossFields, DateTimeSchema, IdInputSchema, IdSchema, MunicipalityCodeSchema } from './common.js';

// An export of one municipality's audit trail for a period: a file (NDJSON or CSV) and a manifest
// that says what the file holds and how to check it. The manifest is the same JSON in the API's
// answer and beside the file in the bucket; `npm run schakel -- audit verify` reads it.

export const AUDIT_EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

export const AUDIT_EXPORT_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
export type AuditExportStatus = (typeof AUDIT_EXPORT_STATUSES)[number];

/** The longest period one export may cover: the audit's own retention (NEN 7513 practice). */
export const MAX_EXPORT_PERIOD_YEARS = 5;

/** How the chain is hashed, named in every manifest (the README and docs/audit-trail.md spell it out). */
export const AUDIT_CHAIN_ALGORITHM = 'sha256(prevHash + "\\n" + rfc8785(event without hash))';
/** The audit event's schema version as the export writes it: v1 of the API, fields only added. */
export const AUDIT_EVENT_SCHEMA_VERSION = '1';
export const MANIFEST_SCHEMA = 'https://schakel.nl/schemas/audit-export-manifest/v1';

const Sha256Schema = z
  .string()
  .check(z.regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' }));

function addYears(instant: string, years: number): number {
  const date = new Date(instant);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.getTime();
}

export const CreateAuditExportSchema = z
  .strictObject({
    municipality: MunicipalityCodeSchema.check(z.meta({ description: 'Whose trail to export.' })),
    from: DateTimeSchema.check(
      z.meta({ description: 'Events recorded in the trail at or after this moment.' }),
    ),
    to: DateTimeSchema.check(
      z.meta({
        description:
          'Events recorded before this moment. A moment later than two minutes before the job ' +
          'starts is cut to that (the manifest’s `period.to` says where the file ends), so a ' +
          'following export starting there continues without a gap.',
      }),
    ),
    format: z.enum(AUDIT_EXPORT_FORMATS, { error: `must be one of ${AUDIT_EXPORT_FORMATS.join(', ')}` }),
  })
  .check(
    acrossFields(['from', 'to'], (body, ctx) => {
      if (Date.parse(body.from) >= Date.parse(body.to)) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be later than from' });
      } else if (Date.parse(body.to) > addYears(body.from, MAX_EXPORT_PERIOD_YEARS)) {
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `must be at most ${MAX_EXPORT_PERIOD_YEARS} years after from`,
        });
      }
    }),
  )
  .register(z.globalRegistry, { id: 'AuditExportRequest' });
export type CreateAuditExport = z.infer<typeof CreateAuditExportSchema>;

export const AuditExportManifestSchema = z
  .object({
    manifestSchema: z.literal(MANIFEST_SCHEMA),
    exportId: IdSchema,
    municipality: MunicipalityCodeSchema,
    period: z.object({
      from: DateTimeSchema,
      to: DateTimeSchema.check(
        z.meta({ description: 'Where the file ends: the requested `to`, or earlier when it was cut.' }),
      ),
      basis: z.literal('recordedAt').check(
        z.meta({
          description:
            'Events are selected by when they were recorded in the trail, which never goes back along ' +
            'the chain; so an export is one unbroken run of sequence numbers.',
        }),
      ),
    }),
    format: z.enum(AUDIT_EXPORT_FORMATS),
    file: z.object({
      name: z.string(),
      sha256: Sha256Schema.check(
        z.meta({ description: 'SHA-256 of the file’s bytes, as `sha256sum` prints it.' }),
      ),
      bytes: z.int().check(z.gte(0)),
      mediaType: z.string(),
    }),
    eventCount: z.int().check(z.gte(0)),
    afterSequence: z.int().check(
      z.gte(0),
      z.meta({
        description:
          'The sequence number just before the first event (0 from the start of the trail); the ' +
          'previous export’s `lastSequence` when this one continues it.',
      }),
    ),
    firstSequence: z.optional(z.int().check(z.gte(1))),
    lastSequence: z
      .int()
      .check(
        z.gte(0),
        z.meta({ description: 'The last event’s sequence number (`afterSequence` when the file is empty).' }),
      ),
    previousHash: Sha256Schema.check(
      z.meta({
        description: 'The hash of the event at `afterSequence` (64 zeros at the start of the trail).',
      }),
    ),
    lastHash: Sha256Schema.check(
      z.meta({ description: 'The last event’s hash (`previousHash` when the file is empty).' }),
    ),
    retentionCheckpoint: z.optional(
      z
        .object({
          removedThroughYear: z.int(),
          lastSequence: z.int().check(z.gte(0)),
          lastHash: Sha256Schema,
        })
        .check(
          z.meta({
            description:
              'When events before this export were removed after their retention period: the last ' +
              'removed event’s sequence and hash, kept in the trail (and chained in the ' +
              '`audit-trail.retention-applied` event) so the file still verifies from there.',
          }),
        ),
    ),
    algorithm: z.literal(AUDIT_CHAIN_ALGORITHM),
    eventSchemaVersion: z.string(),
    generator: z.object({ name: z.string(), version: z.string() }),
    generatedAt: DateTimeSchema,
  })
  .register(z.globalRegistry, { id: 'AuditExportManifest' });
export type AuditExportManifest = z.infer<typeof AuditExportManifestSchema>;

export const AuditExportSchema = z
  .object({
    id: IdSchema,
    status: z.enum(AUDIT_EXPORT_STATUSES),
    municipality: MunicipalityCodeSchema,
    from: DateTimeSchema,
    to: DateTimeSchema,
    format: z.enum(AUDIT_EXPORT_FORMATS),
    createdAt: DateTimeSchema,
    updatedAt: DateTimeSchema,
    eventCount: z.optional(
      z
        .int()
        .check(z.gte(0), z.meta({ description: 'Events written so far (running) or in the file (done).' })),
    ),
    manifest: z.optional(AuditExportManifestSchema),
    downloadUrl: z.optional(
      z.url().check(
        z.meta({
          description: 'A pre-signed URL of the file, valid until `expiresAt`; fetch it without the API key.',
        }),
      ),
    ),
    manifestUrl: z.optional(
      z.url().check(z.meta({ description: 'The manifest beside the file, pre-signed likewise.' })),
    ),
    expiresAt: z.optional(DateTimeSchema.check(z.meta({ description: 'When `downloadUrl` stops working.' }))),
    availableUntil: z.optional(
      DateTimeSchema.check(
        z.meta({ description: 'When the file is removed from the bucket; start a new export after.' }),
      ),
    ),
    failure: z.optional(
      z.string().check(z.meta({ description: 'Why a failed export failed (no pupil data).' })),
    ),
  })
  .register(z.globalRegistry, { id: 'AuditExport' });
export type AuditExport = z.infer<typeof AuditExportSchema>;

export const AuditExportIdSchema = z.strictObject({ id: IdInputSchema });

/** The message on the export queue: ids only. */
export const AuditExportMessageSchema = z.object({ exportId: IdSchema, clientId: z.string() });
export type AuditExportMessage = z.infer<typeof AuditExportMessageSchema>;
