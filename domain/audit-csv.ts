import { canonicalJson } from './canonical-json.js';

// The audit export as CSV, for people: opens as a table in Excel or LibreOffice with Dutch
// settings (`;` between fields, a BOM so the bytes are read as UTF-8, CRLF, RFC 4180 quoting).
// The last column holds the whole event as RFC 8785 JSON, hash included, so a CSV verifies like
// the NDJSON; the readable columns are derived from it and a verifier checks they still are.

export const CSV_BOM = '\uFEFF';
const SEPARATOR = ';';
const CRLF = '\r\n';

/** What the CSV reads of an audit event (the shape of `AuditEvent` in schemas/audit-event.ts). */
export interface CsvAuditEvent {
  sequence: number;
  occurredAt: string;
  recordedAt: string;
  action: string;
  eventType: string;
  outcome: string;
  actor: { clientId: string; role: string; organisation?: string | undefined; user?: string | undefined };
  onBehalfOf?: { schoolLocation?: string | undefined; teamId?: string | undefined } | undefined;
  object: {
    type: string;
    id: string;
    signalId?: string | undefined;
    pupilPseudonym?: string | undefined;
    version?: number | undefined;
  };
  recovery?: { method: string; reason: string } | undefined;
  purpose: string;
  details?: Record<string, string | number | boolean | null> | undefined;
  prevHash: string;
  hash: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Whether a value read back from a CSV's JSON column can be rendered as a row again. Deliberately
 * not the event schema: an old export must still verify when the schema or the list of
 * municipalities has moved on since, and the row only has to say what the JSON says.
 */
export function isCsvAuditEvent(value: object): value is CsvAuditEvent {
  return 'actor' in value && isRecord(value.actor) && 'object' in value && isRecord(value.object);
}

const ACTIONS: Record<string, string> = {
  C: 'C (aanmaken)',
  R: 'R (inzien)',
  U: 'U (wijzigen)',
  D: 'D (verwijderen)',
  E: 'E (uitvoeren)',
};
const OUTCOMES: Record<string, string> = { success: 'gelukt', failure: 'mislukt' };

// en-CA writes dates as YYYY-MM-DD; the parts are put together by hand anyway, so only the
// calendar and the 24-hour clock matter.
const AMSTERDAM = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An instant as the wall clock in the Netherlands showed it (CET or CEST), `2026-11-22 11:02:00`. */
export function amsterdamTime(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '';
  const part = Object.fromEntries(AMSTERDAM.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

function detailsText(details: CsvAuditEvent['details']): string {
  if (!details) return '';
  // Sorted like the JSON column, so the text does not depend on the order the keys were stored in.
  return Object.keys(details)
    .sort()
    .map((key) => `${key}=${String(details[key])}`)
    .join(', ');
}

const COLUMNS: readonly [string, (event: CsvAuditEvent) => string | number | undefined][] = [
  ['Volgnummer', (e) => e.sequence],
  ['Tijdstip (UTC)', (e) => e.occurredAt],
  ['Tijdstip (Nederlandse tijd)', (e) => amsterdamTime(e.occurredAt)],
  ['Vastgelegd (UTC)', (e) => e.recordedAt],
  ['Actie', (e) => ACTIONS[e.action] ?? e.action],
  ['Soort gebeurtenis', (e) => e.eventType],
  ['Uitkomst', (e) => OUTCOMES[e.outcome] ?? e.outcome],
  ['Client', (e) => e.actor.clientId],
  ['Rol', (e) => e.actor.role],
  ['Organisatie', (e) => e.actor.organisation],
  ['Gebruiker', (e) => e.actor.user],
  ['Namens schoolvestiging', (e) => e.onBehalfOf?.schoolLocation],
  ['Namens team', (e) => e.onBehalfOf?.teamId],
  ['Soort object', (e) => e.object.type],
  ['Object-id', (e) => e.object.id],
  ['Signaal-id', (e) => e.object.signalId],
  ['Leerlingpseudoniem', (e) => e.object.pupilPseudonym],
  ['Versie', (e) => e.object.version],
  ['Doel', (e) => e.purpose],
  ['Details', (e) => detailsText(e.details)],
  ['Herstel', (e) => (e.recovery ? `${e.recovery.method} (${e.recovery.reason})` : undefined)],
  ['Vorige hash', (e) => e.prevHash],
  ['Hash', (e) => e.hash],
];
const EVENT_COLUMN = 'Gebeurtenis (JSON, RFC 8785)';

/** The column headers, the event's JSON last. */
export const CSV_COLUMNS: readonly string[] = [...COLUMNS.map(([header]) => header), EVENT_COLUMN];

/**
 * OWASP's guard against CSV injection: a spreadsheet runs a cell starting with one of these as a
 * formula, and user ids, organisations and details come from the calling systems.
 */
function defused(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function quoted(field: string): string {
  return /[;"\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** The fields of an event's row before quoting: readable columns defused, the JSON as it is. */
export function csvCells(event: CsvAuditEvent): string[] {
  const readable = COLUMNS.map(([, cell]) => defused(String(cell(event) ?? '')));
  return [...readable, canonicalJson(event)];
}

function line(fields: readonly string[]): string {
  return `${fields.map(quoted).join(SEPARATOR)}${CRLF}`;
}

export function csvHeaderLine(): string {
  return line(CSV_COLUMNS);
}

export function csvRow(event: CsvAuditEvent): string {
  return line(csvCells(event));
}

export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
}

/** The fields of one CSV record (without its line break), RFC 4180 quoting undone. */
export function parseCsvRecord(record: string): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (record[at] === '"') {
      let field = '';
      let from = at + 1;
      for (;;) {
        const quote = record.indexOf('"', from);
        if (quote === -1) throw new CsvFormatError('a quoted field is not closed');
        field += record.slice(from, quote);
        if (record[quote + 1] !== '"') {
          at = quote + 1;
          break;
        }
        field += '"';
        from = quote + 2;
      }
      fields.push(field);
    } else {
      const end = record.indexOf(SEPARATOR, at);
      const field = record.slice(at, end === -1 ? record.length : end);
      if (field.includes('"')) throw new CsvFormatError('a field holds a quote but is not quoted');
      fields.push(field);
      at = end === -1 ? record.length : end;
    }
    if (at === record.length) return fields;
    if (record[at] !== SEPARATOR)
      throw new CsvFormatError('a quoted field is followed by more than a separator');
    at += 1;
  }
}

/** The event's JSON (the last column) of a CSV record. */
export function parseCsvEventColumn(record: string): string {
  const fields = parseCsvRecord(record);
  if (fields.length !== CSV_COLUMNS.length) {
    throw new CsvFormatError(`the record has ${fields.length} fields, not ${CSV_COLUMNS.length}`);
  }
  return fields.at(-1) as string;
}

/** Whether a record is the header row (the BOM before it, if any, left out). */
export function isCsvHeader(record: string): boolean {
  const text = record.startsWith(CSV_BOM) ? record.slice(CSV_BOM.length) : record;
  return `${text}${CRLF}` === csvHeaderLine();
}
