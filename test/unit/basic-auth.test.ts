import { describe, expect, it } from 'vitest';
import { basicAuthMatches, parseBasicAuth } from '../../src/dashboard/basic-auth.js';
import { safeEqual } from '../../src/shared/safe-equal.js';

const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
const expected = { user: 'ops', password: 'p:ss wörd' };

describe('basic auth', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc', undefined],
    ['Basic', undefined],
    ['Basic !!!', undefined],
    [header('no-colon'), undefined],
    [header('ops:p:ss wörd'), { user: 'ops', password: 'p:ss wörd' }],
    [`basic ${Buffer.from('a:').toString('base64')}`, { user: 'a', password: '' }],
  ])('parses %j', (input, parsed) => {
    expect(parseBasicAuth(input)).toEqual(parsed);
  });

  it.each([
    [header('ops:p:ss wörd'), true],
    [header('ops:p:ss word'), false],
    [header('Ops:p:ss wörd'), false],
    [header('ops:'), false],
    [header(':p:ss wörd'), false],
    [undefined, false],
  ])('%j matches: %s', (input, ok) => {
    expect(basicAuthMatches(input, expected)).toBe(ok);
  });

  it('safeEqual compares any lengths without throwing', () => {
    expect(safeEqual('a', 'a')).toBe(true);
    expect(safeEqual('a', 'a'.repeat(1000))).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });
});
