import { describe, expect, it } from 'vitest';
import { resolveAccess } from '../../src/dashboard/server.js';
import { loadConfig } from '../../src/shared/config.js';
import { ConfigError } from '../../src/shared/errors.js';
import { hostForSecret } from '../../src/shared/secret-strength.js';

const STRONG = 'x'.repeat(16);
const WEAK = 'x'.repeat(15);

describe('token and password strength', () => {
  it.each([
    { secret: STRONG, options: {}, host: '0.0.0.0' },
    { secret: STRONG, options: { host: '10.0.0.5' }, host: '10.0.0.5' },
    { secret: WEAK, options: { insecure: true }, host: '127.0.0.1' },
    { secret: WEAK, options: { insecure: true, host: '127.0.0.1' }, host: '127.0.0.1' },
  ])('accepts $secret.length characters with $options', ({ secret, options, host }) => {
    expect(hostForSecret('NEUPUSH_API_TOKEN', secret, options, '0.0.0.0')).toBe(host);
  });

  it('refuses fewer than 16 characters, naming the variable and never the secret; --insecure only on 127.0.0.1', () => {
    expect(() => hostForSecret('NEUPUSH_API_TOKEN', 'hunter2', {}, '0.0.0.0')).toThrow(ConfigError);
    expect(() => hostForSecret('NEUPUSH_API_TOKEN', 'hunter2', {}, '0.0.0.0')).toThrow(/^NEUPUSH_API_TOKEN must be at least 16 characters/);
    expect(() => hostForSecret('NEUPUSH_API_TOKEN', 'hunter2', {}, '0.0.0.0')).not.toThrow(/hunter2/);
    expect(() => hostForSecret('NEUPUSH_API_TOKEN', WEAK, { insecure: true, host: '0.0.0.0' }, '0.0.0.0')).toThrow(/127\.0\.0\.1 only, not on 0\.0\.0\.0/);
  });

  it('the dashboard applies it to its password', () => {
    const weak = loadConfig({ NEUPUSH_DASHBOARD_USER: 'ops', NEUPUSH_DASHBOARD_PASSWORD: 'pa55-word' });
    expect(() => resolveAccess(weak, {})).toThrow(/NEUPUSH_DASHBOARD_PASSWORD must be at least 16 characters/);
    expect(resolveAccess(weak, { insecure: true })).toEqual({ credentials: { user: 'ops', password: 'pa55-word' }, host: '127.0.0.1' });
  });
});
