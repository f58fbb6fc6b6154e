/** A line went past its bound; nothing past the bound was held. */
export class LineTooLongError extends Error {
  /** 1-based line number. */
  readonly line: number;
  readonly maxBytes: number;
  constructor(line: number, maxBytes: number) {
    super(`line ${line} is longer than ${maxBytes} bytes`);
    this.name = 'LineTooLongError';
    this.line = line;
    this.maxBytes = maxBytes;
  }
}

/**
 * Split a byte stream into lines (`\n`, with a `\r` before it dropped), decoded as UTF-8, holding at most
 * one line of at most `maxBytes(lineNumber)` bytes plus the chunk being split: a longer line is refused
 * (LineTooLongError) as soon as its bound is passed, without reading the rest of it. Splitting on the byte
 * 0x0A is safe for UTF-8, which never uses it inside a multi-byte character. Empty lines are yielded too.
 */
export async function* boundedLines(
  input: AsyncIterable<Buffer | string>,
  maxBytes: (line: number) => number,
): AsyncGenerator<{ line: number; text: string }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 1;
  const decode = (bytes: Buffer) => {
    const text = bytes.toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  for await (const chunk of input) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      // The \r of a \r\n does not count against the bound.
      const last = nl > 0 ? buf[nl - 1] : pending.at(-1)?.at(-1);
      const bytes = pendingBytes + nl - Number(last === 0x0d);
      if (bytes > maxBytes(line)) throw new LineTooLongError(line, maxBytes(line));
      const text = decode(pending.length === 0 ? buf.subarray(0, nl) : Buffer.concat([...pending, buf.subarray(0, nl)]));
      pending = [];
      pendingBytes = 0;
      buf = buf.subarray(nl + 1);
      yield { line: line++, text };
    }
    if (buf.length > 0) {
      // +1: room for the \r of a \r\n split across chunks.
      if (pendingBytes + buf.length > maxBytes(line) + 1) throw new LineTooLongError(line, maxBytes(line));
      // A copy: the socket's chunk may be far larger than the piece of line kept from it.
      pending.push(Buffer.from(buf));
      pendingBytes += buf.length;
    }
  }
  if (pendingBytes > 0) {
    const text = decode(Buffer.concat(pending));
    if (Buffer.byteLength(text) > maxBytes(line)) throw new LineTooLongError(line, maxBytes(line));
    yield { line, text };
  }
}
