import { boundedLines, LineTooLongError } from '../bounded-lines.js';
import { HttpError } from './http-error.js';

/** The header line holds one notification (its fields' limits add up to well under this). */
export const NDJSON_MAX_HEADER_BYTES = 64 * 1024;
/**
 * A recipient line: `{"openId","timezone","language"}` is under 300 bytes even with a 128-character
 * openId. The bound keeps a hostile line from costing more than a few KB of heap while it is parsed.
 */
export const NDJSON_MAX_LINE_BYTES = 1024;

export interface NdjsonRecord {
  /** 1-based line number in the body. */
  line: number;
  value: unknown;
}

export interface NdjsonLimits {
  /** Bytes of the first non-blank line (the header). Default NDJSON_MAX_HEADER_BYTES. */
  headerBytes?: number;
  /** Bytes of every later line. Default NDJSON_MAX_LINE_BYTES. */
  lineBytes?: number;
}

/**
 * Parse a newline-delimited JSON stream one line at a time, holding at most one line (bounded, else 413
 * naming the line, refused before the rest of it is read) in memory. Blank lines are skipped; `\r\n` is
 * accepted.
 */
export async function* ndjsonRecords(body: AsyncIterable<Buffer | string>, limits: NdjsonLimits = {}): AsyncGenerator<NdjsonRecord> {
  const headerBytes = limits.headerBytes ?? NDJSON_MAX_HEADER_BYTES;
  const lineBytes = limits.lineBytes ?? NDJSON_MAX_LINE_BYTES;
  let records = 0;
  try {
    for await (const { line, text } of boundedLines(body, () => (records === 0 ? headerBytes : lineBytes))) {
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new HttpError(400, `NDJSON line ${line} is not valid JSON`, [{ field: `line ${line}`, rule: 'is not valid JSON' }]);
      }
      records++;
      yield { line, value };
    }
  } catch (error) {
    if (!(error instanceof LineTooLongError)) throw error;
    const what = records === 0 ? 'the header line' : 'a recipient line';
    throw new HttpError(413, `NDJSON line ${error.line} is longer than ${error.maxBytes} bytes`, [
      { field: `line ${error.line}`, rule: `must be at most ${error.maxBytes} bytes (${what})` },
    ]);
  }
}
