import { HttpError } from './http-error.js';

/** A recipient line is under 200 bytes; the header line holds one notification. */
export const NDJSON_MAX_LINE_BYTES = 64 * 1024;

export interface NdjsonRecord {
  /** 1-based line number in the body. */
  line: number;
  value: unknown;
}

/**
 * Parse a newline-delimited JSON stream one line at a time, holding at most one line (bounded by
 * `maxLineBytes`, else 413) in memory. Blank lines are skipped; `\r\n` is accepted. Splitting on the byte
 * 0x0A is safe for UTF-8, which never uses it inside a multi-byte character.
 */
export async function* ndjsonRecords(
  body: AsyncIterable<Buffer | string>,
  maxLineBytes = NDJSON_MAX_LINE_BYTES,
): AsyncGenerator<NdjsonRecord> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;

  const parse = (bytes: Buffer): NdjsonRecord | undefined => {
    line += 1;
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') return undefined;
    try {
      return { line, value: JSON.parse(text) as unknown };
    } catch {
      throw new HttpError(400, `NDJSON line ${line} is not valid JSON`, [{ field: `line ${line}`, rule: 'is not valid JSON' }]);
    }
  };
  const tooLong = () =>
    new HttpError(413, `NDJSON line ${line + 1} is longer than ${maxLineBytes} bytes`, [
      { field: `line ${line + 1}`, rule: `must be at most ${maxLineBytes} bytes` },
    ]);

  for await (const chunk of body) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      if (pendingBytes + nl > maxLineBytes) throw tooLong();
      const record = parse(Buffer.concat([...pending, buf.subarray(0, nl)]));
      pending = [];
      pendingBytes = 0;
      buf = buf.subarray(nl + 1);
      if (record) yield record;
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes > maxLineBytes) throw tooLong();
    }
  }
  if (pendingBytes > 0) {
    const record = parse(Buffer.concat(pending));
    if (record) yield record;
  }
}
