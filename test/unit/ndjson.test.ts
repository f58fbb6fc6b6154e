import { describe, expect, it } from 'vitest';
import { ndjsonRecords } from '../../src/producer/http/ndjson.js';
import { HttpError } from '../../src/producer/http/http-error.js';

async function collect(chunks: (string | Buffer)[], max?: number) {
  const out = [];
  for await (const r of ndjsonRecords((async function* () { yield* chunks; })(), max)) out.push(r);
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
  });
});
