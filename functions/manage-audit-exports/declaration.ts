import * as z from 'zod/mini';
import {
  AuditExportIdSchema,
  AuditExportSchema,
  CreateAuditExportSchema,
  MAX_EXPORT_PERIOD_YEARS,
} from '../../schemas/audit-export.js';
import { CursorQuerySchema, pageOf } from '../../schemas/common.js';
import { declareFunction, operations } from '../shared/declarations.js';
import {
  DOWNLOAD_URL_SECONDS,
  MAX_ACTIVE_EXPORTS,
  municipalityScopeProblems,
  periodProblems,
} from './audit-export-rules.js';

const EXPORT_ID = '01938f4e-7a1b-7c64-8a2f-1c8c9eab2d02';

const pendingExample = {
  id: EXPORT_ID,
  status: 'pending',
  municipality: '0363',
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-12-01T00:00:00.000Z',
  format: 'csv',
  createdAt: '2026-11-29T09:00:00.000Z',
  updatedAt: '2026-11-29T09:00:00.000Z',
} as const;

const doneExample = {
  ...pendingExample,
  status: 'done',
  updatedAt: '2026-11-29T09:00:41.000Z',
  eventCount: 2,
  manifest: {
    manifestSchema: 'https://schakel.nl/schemas/audit-export-manifest/v1',
    exportId: EXPORT_ID,
    municipality: '0363',
    period: { from: '2026-01-01T00:00:00.000Z', to: '2026-11-29T08:55:00.000Z', basis: 'recordedAt' },
    format: 'csv',
    file: {
      name: 'audit-0363-20260101T000000Z-20261201T000000Z.csv',
      sha256: '5d2f6f0c2b5f0f8f6a3c9a1e8b7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b',
      bytes: 2417,
      mediaType: 'text/csv; charset=utf-8',
    },
    eventCount: 2,
    afterSequence: 0,
    firstSequence: 1,
    lastSequence: 2,
    previousHash: '0'.repeat(64),
    lastHash: '1b3d5f7e9a1c3b5d7f9e1a3c5b7d9f1e9f2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c',
    algorithm: 'sha256(prevHash + "\\n" + rfc8785(event without hash))',
    eventSchemaVersion: '1',
    generator: { name: 'schakel', version: '0.1.0' },
    generatedAt: '2026-11-29T09:00:41.000Z',
  },
  downloadUrl:
    'https://schakel-demo-exports.s3.eu-west-1.amazonaws.com/audit-exports/0363/01938f4e/audit.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=7c0e51d1a4',
  manifestUrl:
    'https://schakel-demo-exports.s3.eu-west-1.amazonaws.com/audit-exports/0363/01938f4e/audit.csv.manifest.json?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=900&X-Amz-Signature=7c0e51d1a4',
  expiresAt: '2026-11-29T09:15:41.000Z',
  availableUntil: '2026-12-06T09:00:41.000Z',
} as const;

export const AuditExportPageSchema = pageOf(AuditExportSchema).register(z.globalRegistry, {
  id: 'AuditExportPage',
});

export const MANAGE_AUDIT_EXPORTS_OPERATIONS = operations({
  createAuditExport: {
    method: 'POST',
    path: '/v1/audit-exports',
    summary: 'Export a municipality’s audit trail for a period as a verifiable file',
    description: [
      'Starts an export job: the municipality’s hash-chained audit events recorded in the period, in chain order, written to a file (`ndjson`: one event per line exactly as chained; `csv`: Dutch column headers, `;` as separator, UTF-8 with BOM, times in UTC and in Europe/Amsterdam, and the event’s canonical JSON in the last column) with a manifest (event count, first and last sequence, the hash before the first event and the last hash, the file’s SHA-256). The answer is `202` with the job; poll `Location` until `status` is `done`.',
      '',
      `A municipality client exports its own codes; admins any. The period is at most ${MAX_EXPORT_PERIOD_YEARS} years; events are selected by when they were recorded in the trail (\`recordedAt\`), which never goes back along the chain, so an export is one unbroken run of sequence numbers, and an export from the previous one’s \`period.to\` continues it without gap or overlap. The request is itself recorded in the audit trail (\`audit-export.requested\`).`,
      '',
      'Check a file with `npm run schakel -- audit verify FILE` (see docs/audit-trail.md for doing it with your own tools).',
    ].join('\n'),
    roles: ['municipality', 'admin'],
    bodyRules: (body, { client, now }) => [
      ...municipalityScopeProblems(body, client),
      ...periodProblems(body, now),
    ],
    body: {
      schema: CreateAuditExportSchema,
      required: true,
      examples: {
        year: {
          summary: 'This year so far, for people (CSV)',
          value: {
            municipality: '0363',
            from: '2026-01-01T00:00:00Z',
            to: '2026-12-01T00:00:00Z',
            format: 'csv',
          },
        },
      },
    },
    responses: {
      202: {
        description: 'The export job, pending.',
        schema: AuditExportSchema,
        headers: { Location: 'Path of the export job.' },
        example: pendingExample,
      },
    },
    problems: {
      403: 'The municipality is not one of the client’s (`invalidParams` names `municipality`), or the client is not a municipality or admin client.',
      429: `The client has ${MAX_ACTIVE_EXPORTS} exports pending or running; try again when one is done (\`Retry-After\`). The same request again while its export runs answers that export.`,
      503: 'The job could not be started; send the request again.',
    },
  },
  listAuditExports: {
    method: 'GET',
    path: '/v1/audit-exports',
    summary: 'The caller’s export jobs, newest first',
    description:
      'Every export job this client started, newest first, without download links (fetch one job for its link).',
    roles: ['municipality', 'admin'],
    query: CursorQuerySchema,
    responses: {
      200: {
        description: 'A page of export jobs.',
        schema: AuditExportPageSchema,
        example: { items: [pendingExample] },
      },
    },
  },
  getAuditExport: {
    method: 'GET',
    path: '/v1/audit-exports/{id}',
    summary: 'One export job; when done, its manifest and short-lived download links',
    description: [
      `When \`status\` is \`done\`, the answer carries the manifest, a pre-signed \`downloadUrl\` of the file and \`manifestUrl\` of the manifest beside it, valid for ${DOWNLOAD_URL_SECONDS / 60} minutes (\`expiresAt\`); fetch them without the API key. Each answer with links is recorded in the audit trail (\`audit-export.downloaded\`). Files are removed from the bucket at \`availableUntil\`.`,
      '',
      'Only the client that started the job sees it; any other id is a 404.',
    ].join('\n'),
    roles: ['municipality', 'admin'],
    pathParameters: AuditExportIdSchema,
    responses: {
      200: { description: 'The export job.', schema: AuditExportSchema, example: doneExample },
    },
  },
});

export const MANAGE_AUDIT_EXPORTS = declareFunction({
  name: 'manage-audit-exports',
  description: 'Municipalities start audit exports, follow them and fetch their download links',
  timeoutSeconds: 15,
  memoryMb: 512,
  environment: ['AUDIT_TABLE_NAME', 'STATE_TABLE_NAME', 'AUDIT_EXPORT_QUEUE_URL', 'EXPORT_BUCKET_NAME'],
  // Its jobs' partitions of the audit table, never the chains; in the state table only the read
  // records of the audit trail (the stream takes them to the chain).
  access: { exportJobs: 'read-write', stateTable: 'record-reads', exportQueue: 'send', exportBucket: 'read' },
  trigger: { kind: 'api', operations: MANAGE_AUDIT_EXPORTS_OPERATIONS },
});
