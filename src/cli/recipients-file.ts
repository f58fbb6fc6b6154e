import { constants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { boundedLines, LineTooLongError } from '../producer/bounded-lines.js';
import { LANGUAGES, type Language } from '../neuxnet/notification.js';
import { isKnownZone, openIdRule, type Recipient } from '../shared/recipient.js';
import { UsageError } from './exit.js';
import { unreadableFile } from './read-json.js';

export interface RecipientFileOptions {
  /** Every line needs a zone (local-time delivery without --default-timezone). */
  requireZone?: boolean;
}

/** `openId,timezone` is under 200 bytes; the bound keeps a file without newlines from being read whole. */
export const RECIPIENT_LINE_MAX_BYTES = 1024;

/** Column names a header row may use (case-insensitive, optionally quoted), and the field each fills. */
const COLUMN_NAMES: Record<string, Column> = { openid: 'openId', open_id: 'openId', timezone: 'timezone', time_zone: 'timezone', tz: 'timezone', language: 'language', lang: 'language' };

export type Column = 'openId' | 'timezone' | 'language';

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).trim() : f;
}

/**
 * The columns a first line names when it is a header (`openId`, `timezone`, `language`, any order, openId
 * required); undefined when it is a record; the rule it breaks when it is a header that repeats a column.
 */
export function parseHeader(text: string): Column[] | string | undefined {
  const columns = text.split(',').map((f) => COLUMN_NAMES[unquote(f).toLowerCase()]);
  if (columns.some((c) => c === undefined) || !columns.includes('openId')) return undefined;
  const repeated = columns.find((c, i) => columns.indexOf(c) !== i);
  return repeated === undefined ? (columns as Column[]) : `the header names the ${repeated} column twice`;
}

function withZone(r: Recipient, timezone: string | undefined, options: RecipientFileOptions): Recipient | string {
  if (timezone === undefined) return options.requireZone ? 'has no time zone, and --default-timezone is not set' : r;
  if (!isKnownZone(timezone)) return `unknown time zone "${timezone}"`;
  return { ...r, timezone };
}

/** A record of a file with a header row: its cells by column; an empty timezone or language cell means none. */
function parseColumns(fields: string[], columns: readonly Column[], options: RecipientFileOptions): Recipient | string {
  if (fields.length !== columns.length) return `expected ${columns.length} fields (${columns.join(',')}), got ${fields.length}`;
  const cell = (c: Column) => {
    const v = unquote(fields[columns.indexOf(c)] ?? '');
    return v === '' ? undefined : v;
  };
  const openId = unquote(fields[columns.indexOf('openId')] as string);
  const rule = openIdRule(openId);
  if (rule) return rule;
  const language = cell('language');
  if (language !== undefined && !(LANGUAGES as readonly string[]).includes(language)) return `language must be one of ${LANGUAGES.join(', ')}`;
  const r: Recipient = { openId, ...(language !== undefined && { language: language as Language }) };
  return withZone(r, columns.includes('timezone') ? cell('timezone') : undefined, options);
}

/**
 * One line of a recipients file: `openId` or CSV `openId,timezone` (fields may be double-quoted), or, after
 * a header row, the columns it names. Returns the recipient, or the rule the line breaks. Blank lines are
 * skipped by the caller.
 */
export function parseRecipientLine(text: string, options: RecipientFileOptions = {}, columns?: readonly Column[]): Recipient | string {
  const fields = text.split(',');
  if (columns !== undefined) return parseColumns(fields, columns, options);
  if (fields.length > 2) return `expected "openId" or "openId,timezone", got ${fields.length} fields`;
  const openId = unquote(fields[0] as string);
  const rule = openIdRule(openId);
  if (rule) return rule;
  if (fields.length === 1) return withZone({ openId }, undefined, options);
  const timezone = unquote(fields[1] as string);
  if (timezone === '') return 'has an empty time zone after the comma';
  return withZone({ openId }, timezone, options);
}

/**
 * Stream a recipients file line by line (never whole in memory, and no line longer than
 * RECIPIENT_LINE_MAX_BYTES): blank lines are skipped; a first-line header (`openId`, `timezone`,
 * `language` in any order) names the columns of the lines after it; a malformed or over-long line is bad
 * input naming its line number.
 */
export async function* readRecipientLines(input: Readable, name: string, options: RecipientFileOptions = {}): AsyncGenerator<Recipient> {
  let recipients = 0;
  let columns: Column[] | undefined;
  try {
    for await (const { line, text: raw } of boundedLines(input, () => RECIPIENT_LINE_MAX_BYTES)) {
      const text = raw.replace(/^\uFEFF/, '').trim();
      if (text === '') continue;
      if (recipients === 0 && columns === undefined) {
        const header = parseHeader(text);
        if (typeof header === 'string') throw new UsageError(`${name} line ${line}: ${header}`);
        if (header !== undefined) {
          // Today's headers (`openId`, `openId,timezone`) keep today's lenient header-less reading.
          if (header.join(',') !== 'openId' && header.join(',') !== 'openId,timezone') columns = header;
          continue;
        }
      }
      const r = parseRecipientLine(text, options, columns);
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
