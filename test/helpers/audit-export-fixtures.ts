import { createHash, randomUUID } from 'node:crypto';
import { GENESIS_HASH, linkHash } from '../../domain/audit-chain.js';
import { CSV_BOM, csvHeaderLine, csvRow } from '../../domain/audit-csv.js';
import type { AuditEvent } from '../../schemas/audit-event.js';
import {
  AUDIT_CHAIN_ALGORITHM,
  AUDIT_EVENT_SCHEMA_VERSION,
  type AuditExportFormat,
  type AuditExportManifest,
  MANIFEST_SCHEMA,
} from '../../schemas/audit-export.js';

// Audit chains and export files built here with linkHash, not by the exporter: the verifier's
// tests must not pass because the code under test wrote what it reads.

export interface ChainStart {
  sequence: number;
  hash: string;
}

const FROM_GENESIS: ChainStart = { sequence: 0, hash: GENESIS_HASH };
const START = Date.parse('2026-03-01T09:00:00Z');

/** A referral's life in `count` schema-valid events of municipality 0363, chained from `after`. */
export function auditChain(
  count: number,
  after: ChainStart = FROM_GENESIS,
  change: (event: Omit<AuditEvent, 'hash'>, index: number) => Omit<AuditEvent, 'hash'> = (e) => e,
): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = after.hash;
  for (let i = 0; i < count; i++) {
    const sequence = after.sequence + i + 1;
    const at = new Date(START + sequence * 60_000).toISOString();
    const unhashed = change(
      {
        id: randomUUID(),
        municipality: '0363',
        sequence,
        occurredAt: at,
        recordedAt: at,
        action: 'U',
        eventType: 'referral.delivered',
        outcome: 'success',
        actor: {
          clientId: 'team-noord',
          role: 'provider',
          organisation: 'Jeugdteam Noord',
          user: 'mw. Jansen',
        },
        object: { type: 'referral', id: `referral-${sequence}`, pupilPseudonym: 'p-7f3a', version: 1 },
        purpose: 'jeugdhulp',
        details: { fromStatus: 'queued', toStatus: 'delivered' },
        prevHash,
      },
      i,
    );
    const event = { ...unhashed, hash: linkHash(unhashed) } as AuditEvent;
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

export function ndjsonOf(events: readonly AuditEvent[]): string {
  return events.map((e) => `${JSON.stringify(e)}\n`).join('');
}

export function csvOf(events: readonly AuditEvent[]): string {
  return `${CSV_BOM}${csvHeaderLine()}${events.map(csvRow).join('')}`;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The manifest an exporter would write beside `fileText` holding `events`. */
export function manifestOf(
  events: readonly AuditEvent[],
  fileText: string,
  options: { after?: ChainStart; format?: AuditExportFormat; name?: string } = {},
): AuditExportManifest {
  const after = options.after ?? FROM_GENESIS;
  const format = options.format ?? 'ndjson';
  const last = events.at(-1);
  return {
    manifestSchema: MANIFEST_SCHEMA,
    exportId: randomUUID(),
    municipality: '0363',
    period: { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z', basis: 'recordedAt' },
    format,
    file: {
      name: options.name ?? `audit-0363.${format}`,
      sha256: sha256(fileText),
      bytes: Buffer.byteLength(fileText),
      mediaType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    },
    eventCount: events.length,
    afterSequence: after.sequence,
    ...(last ? { firstSequence: after.sequence + 1 } : {}),
    lastSequence: last?.sequence ?? after.sequence,
    previousHash: after.hash,
    lastHash: last?.hash ?? after.hash,
    algorithm: AUDIT_CHAIN_ALGORITHM,
    eventSchemaVersion: AUDIT_EVENT_SCHEMA_VERSION,
    generator: { name: 'fixture', version: '0' },
    generatedAt: '2027-01-01T00:10:00Z',
  };
}
