import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';

describe('NEUPUSH_METRICS_HOST', () => {
  it('is unset by default (every interface) and takes a host name or an IPv4/IPv6 address', () => {
    expect(loadConfig({}).metricsHost).toBeUndefined();
    expect(loadConfig({ NEUPUSH_METRICS_HOST: '' }).metricsHost).toBeUndefined();
    for (const host of ['127.0.0.1', '::', '::1', 'fd00::2', 'metrics.internal', 'localhost']) {
      expect(loadConfig({ NEUPUSH_METRICS_HOST: host }).metricsHost).toBe(host);
    }
  });

  it('refuses a URL, a port or brackets, naming the variable', () => {
    for (const host of ['http://127.0.0.1', '127.0.0.1:9464x', '[::1]', 'a b']) {
      expect(() => loadConfig({ NEUPUSH_METRICS_HOST: host }), host).toThrow(/NEUPUSH_METRICS_HOST must be a host name or IP address/);
    }
  });
});
