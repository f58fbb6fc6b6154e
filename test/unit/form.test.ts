import { describe, it, expect } from 'vitest';
import { decodeForm, encodeForm } from '../../src/neuxnet/form.js';

describe('encodeForm / decodeForm', () => {
  const cases: { name: string; params: Record<string, string> }[] = [
    { name: 'Arabic text', params: { title: 'تنبيه', text: 'خصم ٢٠٪ اليوم فقط — افتح التطبيق' } },
    { name: 'ampersand and equals', params: { url: 'https://example.com/sale?x=1&y=2', 'a=b': 'c&d' } },
    { name: 'plus and spaces', params: { countryCode: '+966', text: 'a b  c +1' } },
    { name: 'commas (joined openIds)', params: { openIds: 'id1,id2,id3' } },
    { name: 'percent, slash, unicode outside the BMP', params: { secretish: 's3cr3t/+=&%', emoji: '🔔 ping' } },
    { name: 'empty value', params: { link: '' } },
  ];
  it.each(cases)('round trips $name', ({ params }) => {
    expect(decodeForm(encodeForm(params))).toEqual(params);
  });

  it('percent-encodes every metacharacter so a value cannot split into fields', () => {
    const body = encodeForm({ text: 'a&b=c+d e,f' });
    expect(body).toBe('text=a%26b%3Dc%2Bd%20e%2Cf');
    expect(body.split('&')).toHaveLength(1);
  });

  it('keeps the field order it was given', () => {
    expect(encodeForm({ b: '1', a: '2' })).toBe('b=1&a=2');
  });

  it('encodes nothing as the empty body', () => {
    expect(encodeForm({})).toBe('');
    expect(decodeForm('')).toEqual({});
  });

  it('decodes "+" as a space, as any form body does', () => {
    expect(decodeForm('text=a+b&c=%2B')).toEqual({ text: 'a b', c: '+' });
  });
});
