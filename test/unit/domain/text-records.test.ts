import { describe, expect, it } from 'vitest';
import { RecordSplitter, RecordTooLongError, type TextRecord } from '../../../domain/text-records.js';

function split(chunks: readonly string[], quoted: boolean, maxLength = 1000): TextRecord[] {
  const splitter = new RecordSplitter({ quoted, maxLength });
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

/** The text cut into chunks of one character: every boundary a chunk can fall on. */
const characters = (text: string) => [...text];

describe('RecordSplitter', () => {
  it.each([
    ['LF', 'a\nb\n'],
    ['CRLF', 'a\r\nb\r\n'],
    ['no line break at the end', 'a\nb'],
  ])('splits lines ending in %s, whatever the chunks', (_case, text) => {
    for (const chunks of [[text], characters(text)]) {
      expect(split(chunks, false)).toEqual([
        { text: 'a', line: 1 },
        { text: 'b', line: 2 },
      ]);
    }
  });

  it('keeps an empty line as an empty record', () => {
    expect(split(['a\n\nb\n'], false).map((r) => r.text)).toEqual(['a', '', 'b']);
  });

  it('in CSV, keeps a line break inside quotes in the field and counts its line', () => {
    const text = 'h1;h2\r\n1;"two\r\nlines ""quoted"""\r\n2;x\r\n';

    for (const chunks of [[text], characters(text)]) {
      expect(split(chunks, true)).toEqual([
        { text: 'h1;h2', line: 1 },
        { text: '1;"two\r\nlines ""quoted"""', line: 2 },
        { text: '2;x', line: 4 },
      ]);
    }
  });

  it('in NDJSON, ends a line at a line break even after an odd number of quotes', () => {
    expect(split(['{"a":"\\""}\n{"b":1}\n'], false).map((r) => r.text)).toEqual(['{"a":"\\""}', '{"b":1}']);
  });

  it('refuses a record longer than the limit instead of buffering it, naming its line', () => {
    const splitter = new RecordSplitter({ quoted: true, maxLength: 10 });
    splitter.push('ok\n');

    expect(() => splitter.push('"an unclosed quote that goes on')).toThrow(RecordTooLongError);
    expect(() => new RecordSplitter({ quoted: false, maxLength: 10 }).push('x'.repeat(11))).toThrow(
      /line 1 is longer than 10/,
    );
  });
});
