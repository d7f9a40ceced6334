// Splits a text that arrives in chunks into records, one a line: NDJSON, or CSV whose quoted
// fields may hold line breaks (RFC 4180). A verifier reads exports of millions of events this way
// in bounded memory, so a record longer than a limit is an error, not a reason to buffer the file.

export interface TextRecord {
  /** The record without its line break (LF or CRLF). */
  text: string;
  /** The line the record starts on, from 1. */
  line: number;
}

export class RecordTooLongError extends Error {
  override name = 'RecordTooLongError';
  constructor(
    readonly line: number,
    readonly limit: number,
  ) {
    super(`the record starting on line ${line} is longer than ${limit} characters`);
  }
}

export interface RecordSplitterOptions {
  /** CSV: a line break inside double quotes belongs to the field, not the end of the record. */
  quoted: boolean;
  maxLength: number;
}

export class RecordSplitter {
  readonly #quoted: boolean;
  readonly #maxLength: number;
  #pending = '';
  /** How far `#pending` has been scanned, and whether that point lies inside quotes. */
  #scanned = 0;
  #inQuotes = false;
  #line = 1;

  constructor(options: RecordSplitterOptions) {
    this.#quoted = options.quoted;
    this.#maxLength = options.maxLength;
  }

  /** The records that end in this chunk. */
  push(chunk: string): TextRecord[] {
    this.#pending += chunk;
    const records: TextRecord[] = [];
    let start = 0;
    for (;;) {
      const end = this.#recordEnd(start);
      if (end === -1) break;
      records.push(this.#take(start, end));
      start = end + 1;
      this.#scanned = start;
    }
    this.#pending = this.#pending.slice(start);
    this.#scanned -= start;
    if (this.#pending.length > this.#maxLength) throw new RecordTooLongError(this.#line, this.#maxLength);
    return records;
  }

  /** The last record, when the text does not end with a line break. */
  end(): TextRecord[] {
    if (this.#pending === '') return [];
    const last = this.#take(0, this.#pending.length);
    this.#pending = '';
    this.#scanned = 0;
    return [last];
  }

  /** The index of the LF that ends the record starting at `start`, or -1 when it has not come yet. */
  #recordEnd(start: number): number {
    const text = this.#pending;
    let at = Math.max(start, this.#scanned);
    if (!this.#quoted) {
      const end = text.indexOf('\n', at);
      this.#scanned = end === -1 ? text.length : end;
      return end;
    }
    for (;;) {
      if (this.#inQuotes) {
        const quote = text.indexOf('"', at);
        if (quote === -1) break;
        this.#inQuotes = false;
        at = quote + 1;
        continue;
      }
      const quote = text.indexOf('"', at);
      const newline = text.indexOf('\n', at);
      if (newline !== -1 && (quote === -1 || newline < quote)) {
        this.#scanned = newline;
        return newline;
      }
      if (quote === -1) break;
      this.#inQuotes = true;
      at = quote + 1;
    }
    this.#scanned = text.length;
    return -1;
  }

  #take(start: number, end: number): TextRecord {
    if (end - start > this.#maxLength) throw new RecordTooLongError(this.#line, this.#maxLength);
    const raw = this.#pending.slice(start, end);
    const record = { text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, line: this.#line };
    this.#line += 1 + countNewlines(raw);
    return record;
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count += 1;
  return count;
}
