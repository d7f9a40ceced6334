import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../domain/audit-chain.js';
import {
  amsterdamTime,
  CSV_BOM,
  CSV_COLUMNS,
  CsvFormatError,
  csvHeaderLine,
  csvRow,
  isCsvHeader,
  parseCsvEventColumn,
  parseCsvRecord,
} from '../../../domain/audit-csv.js';
import { parseEntry } from '../../../domain/audit-verify.js';
import { RecordSplitter } from '../../../domain/text-records.js';
import type { AuditEvent } from '../../../schemas/audit-event.js';
import { auditChain, csvOf } from '../../helpers/audit-export-fixtures.js';

const [EVENT] = auditChain(1) as [AuditEvent];

/** The event with its actor changed (the hash is not recomputed: the CSV does not care). */
const withActor = (actor: Partial<AuditEvent['actor']>): AuditEvent => ({
  ...EVENT,
  actor: { ...EVENT.actor, ...actor },
});

const fieldsOf = (row: string) => parseCsvRecord(row.replace(/\r\n$/, ''));
const column = (row: string, header: string) => fieldsOf(row)[CSV_COLUMNS.indexOf(header)];

describe('audit CSV', () => {
  it('starts the document with a UTF-8 byte order mark, written once by the exporter', () => {
    expect(CSV_BOM).toBe('\uFEFF');
    expect(Buffer.from(CSV_BOM, 'utf8')).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csvHeaderLine()).not.toContain(CSV_BOM);
  });

  it('has Dutch headers separated by semicolons, the event’s JSON last, ending in CRLF', () => {
    expect(csvHeaderLine()).toBe(
      'Volgnummer;Tijdstip (UTC);Tijdstip (Nederlandse tijd);Vastgelegd (UTC);Actie;Soort gebeurtenis;' +
        'Uitkomst;Client;Rol;Organisatie;Gebruiker;Namens schoolvestiging;Namens team;Soort object;' +
        'Object-id;Signaal-id;Leerlingpseudoniem;Versie;Doel;Details;Herstel;Vorige hash;Hash;' +
        'Gebeurtenis (JSON, RFC 8785)\r\n',
    );
  });

  it('writes a row of as many fields as headers, ending in CRLF, with the readable values', () => {
    const row = csvRow({
      ...EVENT,
      onBehalfOf: { schoolLocation: '12AB00' },
      object: { ...EVENT.object, signalId: 'signal-1' },
      recovery: { method: 'stream', reason: 'retries-exhausted' },
    });

    expect(row.endsWith('\r\n')).toBe(true);
    expect(fieldsOf(row)).toHaveLength(CSV_COLUMNS.length);
    expect(column(row, 'Volgnummer')).toBe('1');
    expect(column(row, 'Actie')).toBe('U (wijzigen)');
    expect(column(row, 'Uitkomst')).toBe('gelukt');
    expect(column(row, 'Namens schoolvestiging')).toBe('12AB00');
    expect(column(row, 'Signaal-id')).toBe('signal-1');
    expect(column(row, 'Herstel')).toBe('stream (retries-exhausted)');
    expect(column(row, 'Hash')).toBe(EVENT.hash);
  });

  it('writes details sorted by key, whatever order they were stored in', () => {
    const one = csvRow({ ...EVENT, details: { b: 1, a: 'x', c: null } });
    const two = csvRow({ ...EVENT, details: { c: null, a: 'x', b: 1 } });

    expect(column(one, 'Details')).toBe('a=x, b=1, c=null');
    expect(two).toBe(one);
  });

  it('puts the whole event, hash included, as RFC 8785 JSON in the last column', () => {
    const row = csvRow(EVENT);

    expect(parseCsvEventColumn(row.replace(/\r\n$/, ''))).toBe(canonicalize(EVENT));
  });

  it.each([
    ['a semicolon', 'Team; Noord', '"Team; Noord"'],
    ['a quote', 'Team "Noord"', '"Team ""Noord"""'],
    ['a line feed', 'Team\nNoord', '"Team\nNoord"'],
    ['a carriage return inside', 'Team\rNoord', '"Team\rNoord"'],
  ])('quotes a field holding %s and doubles its quotes', (_case, organisation, written) => {
    const row = csvRow(withActor({ organisation }));

    expect(row).toContain(`;${written};`);
    expect(column(row, 'Organisatie')).toBe(organisation);
  });

  it('leaves a plain field unquoted', () => {
    expect(csvRow(withActor({ organisation: 'Jeugdteam Noord' }))).toContain(';Jeugdteam Noord;');
  });

  it.each(['=HYPERLINK("http://x")', '+31 6 1234', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'defuses a cell starting like a formula: %j',
    (user) => {
      const row = csvRow(withActor({ user }));

      expect(column(row, 'Gebruiker')).toBe(`'${user}`);
    },
  );

  it('defuses formula-like ids and details too, but never touches the JSON column', () => {
    const event: AuditEvent = {
      ...EVENT,
      object: { ...EVENT.object, id: '=1+1' },
      details: { note: '@x' },
    };
    const row = csvRow(event);

    expect(column(row, 'Object-id')).toBe("'=1+1");
    expect(column(row, 'Details')).toBe('note=@x');
    expect(parseCsvEventColumn(row.replace(/\r\n$/, ''))).toBe(canonicalize(event));
  });

  it('defuses details whose text starts like a formula', () => {
    expect(column(csvRow({ ...EVENT, details: { '=cmd': 1 } }), 'Details')).toBe("'=cmd=1");
  });

  it.each([
    ['a winter instant (CET, UTC+1)', '2026-01-15T10:00:00Z', '2026-01-15 11:00:00'],
    ['a summer instant (CEST, UTC+2)', '2026-07-01T10:00:00Z', '2026-07-01 12:00:00'],
    ['the last second before the spring change', '2026-03-29T00:59:59Z', '2026-03-29 01:59:59'],
    ['the spring change (02:00 becomes 03:00)', '2026-03-29T01:00:00Z', '2026-03-29 03:00:00'],
    ['the first 02:30 of the October change (still CEST)', '2026-10-25T00:30:00Z', '2026-10-25 02:30:00'],
    ['the second 02:30 of the October change (CET again)', '2026-10-25T01:30:00Z', '2026-10-25 02:30:00'],
    ['midnight that is the day before in UTC', '2026-11-21T23:30:00Z', '2026-11-22 00:30:00'],
    ['an instant with an offset', '2026-11-22T11:02:00+01:00', '2026-11-22 11:02:00'],
  ])('shows Dutch time for %s', (_case, instant, local) => {
    expect(amsterdamTime(instant)).toBe(local);
    expect(column(csvRow({ ...EVENT, occurredAt: instant }), 'Tijdstip (Nederlandse tijd)')).toBe(local);
  });

  it('keeps the recorded UTC instants as they are', () => {
    const row = csvRow({
      ...EVENT,
      occurredAt: '2026-07-01T10:00:00.123Z',
      recordedAt: '2026-07-01T10:00:01.5Z',
    });

    expect(column(row, 'Tijdstip (UTC)')).toBe('2026-07-01T10:00:00.123Z');
    expect(column(row, 'Vastgelegd (UTC)')).toBe('2026-07-01T10:00:01.5Z');
  });

  it('recognises its header row, with or without the BOM', () => {
    const header = csvHeaderLine().replace(/\r\n$/, '');

    expect(isCsvHeader(`${CSV_BOM}${header}`)).toBe(true);
    expect(isCsvHeader(header)).toBe(true);
    expect(isCsvHeader(header.replace('Volgnummer', 'Nummer'))).toBe(false);
  });

  it('round-trips a chain through the CSV: the JSON column read back verifies', () => {
    const events = auditChain(6, undefined, (event, i) =>
      i === 2
        ? { ...event, details: { note: 'two\r\nlines; "quoted"' }, actor: { ...event.actor, user: '=x' } }
        : event,
    );
    const splitter = new RecordSplitter({ quoted: true, maxLength: 100_000 });
    const text = csvOf(events);
    const records = [...splitter.push(text), ...splitter.end()];

    const read = records.slice(1).map((record) => {
      const parsed = parseEntry(parseCsvEventColumn(record.text));
      if ('reason' in parsed) throw new Error(parsed.reason);
      return parsed.entry;
    });

    expect(isCsvHeader(records[0]?.text as string)).toBe(true);
    expect(read).toEqual(events);
    expect(verifyChain(read)).toEqual({ valid: true, count: 6, lastHash: events[5]?.hash });
  });

  it.each([
    ['an unclosed quote', 'a;"b'],
    ['a quote inside an unquoted field', 'a;b"c'],
    ['text after a closing quote', 'a;"b"c'],
  ])('refuses a record with %s', (_case, record) => {
    expect(() => parseCsvRecord(record)).toThrow(CsvFormatError);
  });

  it('parses empty fields, at the end too', () => {
    expect(parseCsvRecord(';a;;"";')).toEqual(['', 'a', '', '', '']);
  });

  it('refuses to read the event column of a record with another number of fields', () => {
    expect(() => parseCsvEventColumn('1;2;{}')).toThrow(/3 fields, not 24/);
  });
});
