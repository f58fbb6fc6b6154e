import { describe, expect, it } from 'vitest';
import { scrubMessage, serializeError } from '../../src/shared/error-serializer.js';

describe('scrubMessage', () => {
  it.each([
    ["ERR unknown command 'FOO', with args beginning with: '{\"mobileNumber\":\"501234567\"}' ", [], "ERR unknown command 'FOO', with args beginning with: [redacted]"],
    ['Invalid argument [object Object]', [], 'Invalid argument [redacted]'],
    ['bad job {"mobileNumber":"501234567"}', ['{"mobileNumber":"501234567"}'], 'bad job [redacted]'],
    ['bad number 501234567 in part', ['{"m":"x","mobileNumber":"501234567"}'], 'bad number [redacted] in part'],
    ['openId ou-private-1 refused', ['{"openIds":["ou-private-1"]}'], 'openId [redacted] refused'],
    ['WRONGTYPE Operation against a key holding the wrong kind of value', ['k', 'v'], 'WRONGTYPE Operation against a key holding the wrong kind of value'],
  ])('%s', (message, args, expected) => {
    expect(scrubMessage(message, args)).toBe(expected);
  });
});

describe('serializeError', () => {
  it('passes values that are not errors through', () => {
    expect(serializeError('plain')).toBe('plain');
    expect(serializeError({ a: 1 })).toEqual({ a: 1 });
  });

  it('keeps name, code and listed fields; drops the rest; stops at a circular cause', () => {
    const error = Object.assign(new Error('boom'), { code: 'ECONNREFUSED', port: 6379, options: { body: 'secret' } });
    (error as { cause?: unknown }).cause = error;
    const out = serializeError(error) as Record<string, unknown>;
    expect(out).toMatchObject({ type: 'Error', message: 'boom', code: 'ECONNREFUSED', port: 6379, cause: '[circular]' });
    expect(out).not.toHaveProperty('options');
  });

  it('serialises the errors of an AggregateError and a non-error cause by its type only', () => {
    const out = serializeError(new AggregateError([new Error('one'), 'two'], 'both', { cause: 'a string' })) as Record<string, unknown>;
    expect(out).toMatchObject({ type: 'AggregateError', message: 'both', cause: '[string]', errors: [{ message: 'one' }, '[string]'] });
  });
});
