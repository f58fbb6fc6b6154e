import { describe, expect, it } from 'vitest';
import { ndjsonRecords, NDJSON_MAX_LINE_BYTES } from '../../src/producer/http/ndjson.js';
import { HttpError } from '../../src/producer/http/http-error.js';
import { boundedLines, LineTooLongError } from '../../src/producer/bounded-lines.js';

async function collect(chunks: (string | Buffer)[], lineBytes?: number) {
  const out = [];
  const limits = lineBytes === undefined ? {} : { headerBytes: lineBytes, lineBytes };
  for await (const r of ndjsonRecords((async function* () { yield* chunks; })(), limits)) out.push(r);
  return out;
}

describe('ndjsonRecords', () => {
  it('splits lines across chunk boundaries, skips blank lines, accepts CRLF and a missing final newline', async () => {
    const euro = Buffer.from('"€"\n');
    expect(await collect(['{"a":', '1}\r\n\n"x"\n', euro.subarray(0, 2), euro.subarray(2), '"last"'])).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: 'x' },
      { line: 4, value: '€' },
      { line: 5, value: 'last' },
    ]);
  });

  it('names the line that is not JSON (400) and refuses a line over the bound (413), also without a newline', async () => {
    await expect(collect(['"ok"\n{nope}\n'])).rejects.toMatchObject({ statusCode: 400, issues: [{ field: 'line 2', rule: 'is not valid JSON' }] });
    await expect(collect(['"ok"\n', 'x'.repeat(20), 'y'.repeat(20)], 32)).rejects.toMatchObject({ statusCode: 413 });
    await expect(collect([`"${'z'.repeat(40)}"\n`], 32)).rejects.toBeInstanceOf(HttpError);
    expect(await collect([`"${'z'.repeat(30)}"\n`], 32)).toHaveLength(1);
    expect(await collect([`"${'z'.repeat(30)}"\r\n`], 32)).toHaveLength(1);
    expect(await collect([`"${'z'.repeat(30)}"`], 32)).toHaveLength(1);
  });

  it('the header line may be up to 64 KiB, a recipient line 1 KiB: the 413 names the line and the rule', async () => {
    const header = JSON.stringify({ notification: { text: 'x'.repeat(10_000) } });
    const ok = await collect([`${header}\n"u1"\n`]);
    expect(ok.map((r) => r.line)).toEqual([1, 2]);
    const hostile = `[${Array.from({ length: 600 }, () => '{}').join(',')}]`;
    await expect(collect([`${header}\n"u1"\n${hostile}\n`])).rejects.toMatchObject({
      statusCode: 413,
      issues: [{ field: 'line 3', rule: `must be at most ${NDJSON_MAX_LINE_BYTES} bytes (a recipient line)` }],
    });
  });
});

describe('boundedLines', () => {
  it('refuses an endless line once it passes its bound, without reading the rest of the stream', async () => {
    let chunksRead = 0;
    async function* endless() {
      yield 'ok\n';
      for (;;) {
        chunksRead++;
        yield Buffer.alloc(256, 0x61);
      }
    }
    const lines: string[] = [];
    const error = await (async () => {
      for await (const { text } of boundedLines(endless(), () => 1_000)) lines.push(text);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineTooLongError);
    expect(error).toMatchObject({ line: 2, maxBytes: 1_000 });
    expect(lines).toEqual(['ok']);
    expect(chunksRead).toBe(4);
  });
});
