import type { DestinationStream } from 'pino';

export type LogLine = Record<string, unknown>;

export interface LogCapture extends DestinationStream {
  /** Every captured line parsed as JSON, oldest first. */
  lines(): LogLine[];
  /** Everything written so far, raw, so a test can assert a secret appears nowhere. */
  text(): string;
  /** Forgets what was captured. */
  clear(): void;
}

/**
 * An in-memory pino destination, like pino's own test/helper.js sink:
 * `createLogger({ level: 'trace', destination: capture })`, then assert on `capture.lines()`.
 */
export function createLogCapture(): LogCapture {
  let buffer = '';
  return {
    write(chunk: string) {
      buffer += chunk;
    },
    lines() {
      return buffer
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as LogLine);
    },
    text() {
      return buffer;
    },
    clear() {
      buffer = '';
    },
  };
}
