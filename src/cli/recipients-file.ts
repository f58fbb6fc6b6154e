import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { boundedLines, LineTooLongError } from '../producer/bounded-lines.js';
import { isKnownZone, openIdRule, type Recipient } from '../shared/recipient.js';
import { UsageError } from './exit.js';
import { unreadableFile } from './read-json.js';

export interface RecipientFileOptions {
  /** Every line needs a zone (local-time delivery without --default-timezone). */
  requireZone?: boolean;
}

/** `openId,timezone` is under 200 bytes; the bound keeps a file without newlines from being read whole. */
export const RECIPIENT_LINE_MAX_BYTES = 1024;

const HEADER = /^"?open_?id"?(\s*,\s*"?(time_?zone|tz)"?)?$/i;

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).trim() : f;
}

/**
 * One line of a recipients file: `openId` or CSV `openId,timezone` (fields may be double-quoted).
 * Returns the recipient, or the rule the line breaks. Blank lines are skipped by the caller.
 */
export function parseRecipientLine(text: string, options: RecipientFileOptions = {}): Recipient | string {
  const fields = text.split(',');
  if (fields.length > 2) return `expected "openId" or "openId,timezone", got ${fields.length} fields`;
  const openId = unquote(fields[0] as string);
  const rule = openIdRule(openId);
  if (rule) return rule;
  if (fields.length === 1) {
    return options.requireZone ? 'has no time zone, and --default-timezone is not set' : { openId };
  }
  const timezone = unquote(fields[1] as string);
  if (timezone === '') return 'has an empty time zone after the comma';
  if (!isKnownZone(timezone)) return `unknown time zone "${timezone}"`;
  return { openId, timezone };
}

/**
 * Stream a recipients file line by line (never whole in memory, and no line longer than
 * RECIPIENT_LINE_MAX_BYTES): blank lines and a first-line header (`openId` or `openId,timezone`) are
 * skipped; a malformed or over-long line is bad input naming its line number.
 */
export async function* readRecipientLines(input: Readable, name: string, options: RecipientFileOptions = {}): AsyncGenerator<Recipient> {
  let recipients = 0;
  try {
    for await (const { line, text: raw } of boundedLines(input, () => RECIPIENT_LINE_MAX_BYTES)) {
      const text = raw.replace(/^\uFEFF/, '').trim();
      if (text === '') continue;
      if (recipients === 0 && HEADER.test(text)) continue;
      const r = parseRecipientLine(text, options);
      if (typeof r === 'string') throw new UsageError(`${name} line ${line}: ${r}`);
      recipients += 1;
      yield r;
    }
  } catch (error) {
    if (error instanceof LineTooLongError) throw new UsageError(`${name} line ${error.line}: must be at most ${error.maxBytes} bytes`);
    throw error;
  } finally {
    input.destroy();
  }
  if (recipients === 0) throw new UsageError(`${name} has no recipients (it is empty or only blank lines)`);
}

/** Fail early, naming the file, when it cannot be read (readline does not report its input's errors). */
async function assertReadable(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await access(path, constants.R_OK);
  } catch (error) {
    throw unreadableFile(path, error);
  }
}

/** The recipients of FILE (`-` = stdin) as a stream of records. */
export async function openRecipients(path: string, options: RecipientFileOptions = {}): Promise<AsyncGenerator<Recipient>> {
  if (path === '-') return readRecipientLines(process.stdin, 'stdin', options);
  await assertReadable(path);
  return readRecipientLines(createReadStream(path), path, options);
}

/** A first pass over a file: count its recipients and stop at the first bad line, before anything is queued. */
export async function checkRecipientsFile(path: string, options: RecipientFileOptions = {}): Promise<number> {
  let count = 0;
  for await (const _ of await openRecipients(path, options)) count += 1;
  return count;
}
