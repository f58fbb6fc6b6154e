import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseRecipientLine, readRecipientLines } from '../../src/cli/recipients-file.js';

async function read(text: string, options = {}): Promise<unknown> {
  const out: unknown[] = [];
  for await (const r of readRecipientLines(Readable.from([text]), 'people.csv', options)) out.push(r);
  return out;
}

async function failure(text: string, options = {}): Promise<string> {
  try {
    await read(text, options);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('parseRecipientLine', () => {
  const cases: { line: string; expected: unknown; requireZone?: boolean }[] = [
    { line: 'u1', expected: { openId: 'u1' } },
    { line: 'u1,Asia/Riyadh', expected: { openId: 'u1', timezone: 'Asia/Riyadh' } },
    { line: ' u1 , Europe/London ', expected: { openId: 'u1', timezone: 'Europe/London' } },
    { line: '"u1","UTC"', expected: { openId: 'u1', timezone: 'UTC' } },
    { line: 'u1,Mars/Base', expected: 'unknown time zone "Mars/Base"' },
    { line: 'u1,', expected: 'has an empty time zone after the comma' },
    { line: 'u1,UTC,extra', expected: 'expected "openId" or "openId,timezone", got 3 fields' },
    { line: ',UTC', expected: 'openId must not be empty' },
    { line: 'u1', requireZone: true, expected: 'has no time zone, and --default-timezone is not set' },
  ];
  it.each(cases)('$line', ({ line, expected, requireZone }) => {
    expect(parseRecipientLine(line, { requireZone: requireZone ?? false })).toEqual(expected);
  });
});

describe('readRecipientLines', () => {
  it('skips blank lines, CRLF endings, a BOM and a header line', async () => {
    expect(await read('\uFEFFopenId,timezone\r\n\r\nu1,UTC\r\n   \r\nu2,Asia/Tokyo\r\n\r\n')).toEqual([
      { openId: 'u1', timezone: 'UTC' },
      { openId: 'u2', timezone: 'Asia/Tokyo' },
    ]);
  });

  it('a header row names the columns, in any order; empty timezone and language cells mean none', async () => {
    expect(await read('Language,"openId",TZ\nar_SA,u1,Asia/Riyadh\n,u2,\nzh_CN,"u3",\n')).toEqual([
      { openId: 'u1', language: 'ar_SA', timezone: 'Asia/Riyadh' },
      { openId: 'u2' },
      { openId: 'u3', language: 'zh_CN' },
    ]);
    expect(await read('openId,language\nu1,en_US\n')).toEqual([{ openId: 'u1', language: 'en_US' }]);
  });

  it('with a header row: a wrong field count, an unknown language or a repeated column names the line', async () => {
    expect(await failure('openId,language\nu1,en_US,x\n')).toBe('UsageError: people.csv line 2: expected 2 fields (openId,language), got 3');
    expect(await failure('language,openId\nfr_FR,u1\n')).toBe('UsageError: people.csv line 2: language must be one of en_US, ar_SA, zh_CN');
    expect(await failure('openId,language,lang\nu1,en_US,en_US\n')).toBe('UsageError: people.csv line 1: the header names the language column twice');
    expect(await failure('language,timezone,openId\nen_US,,u1\n', { requireZone: true })).toBe(
      'UsageError: people.csv line 2: has no time zone, and --default-timezone is not set',
    );
  });

  it('a header is only a header on the first recipient line', async () => {
    expect(await failure('u1\nopenId,timezone\n')).toBe('UsageError: people.csv line 2: unknown time zone "timezone"');
  });

  it('names the line of a malformed record, counting blank lines', async () => {
    expect(await failure('u1\n\n\nu2,UTC,x\nu3\n')).toBe('UsageError: people.csv line 4: expected "openId" or "openId,timezone", got 3 fields');
  });

  it('refuses an empty file and a file of blank lines', async () => {
    expect(await failure('')).toBe('UsageError: people.csv has no recipients (it is empty or only blank lines)');
    expect(await failure('\n  \n\n')).toBe('UsageError: people.csv has no recipients (it is empty or only blank lines)');
    expect(await failure('openId\n')).toBe('UsageError: people.csv has no recipients (it is empty or only blank lines)');
  });

  it('refuses an over-long line, naming it, before reading the rest of it (a file without newlines is not read whole)', async () => {
    expect(await failure(`u1\n${'x'.repeat(5_000)}\nu3\n`)).toBe('UsageError: people.csv line 2: must be at most 1024 bytes');
    let chunksRead = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          chunksRead++;
          yield Buffer.alloc(64 * 1024, 0x61);
        }
      })(),
    );
    const error = await (async () => {
      for await (const _ of readRecipientLines(endless, 'stdin')) void _;
    })().catch((e: unknown) => e);
    expect(String(error)).toBe('UsageError: stdin line 1: must be at most 1024 bytes');
    expect(chunksRead).toBeLessThan(4);
  });

  it('with local time and no default zone, every line needs one', async () => {
    expect(await failure('u1,UTC\nu2\n', { requireZone: true })).toBe(
      'UsageError: people.csv line 2: has no time zone, and --default-timezone is not set',
    );
  });
});
