import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { ConfigError } from '../../src/shared/errors.js';
import { formatCap, parseCapText, resolveFrequencyCap } from '../../src/shared/frequency-cap.js';
import { resolveCampaignSpec, type CreateCampaignOptions } from '../../src/producer/campaign-options.js';
import { resolveTiming } from '../../src/producer/send-options.js';
import { checkJobData } from '../../src/worker/job-data-check.js';
import { createWorkerMetrics } from '../../src/worker/metrics.js';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import type { Job } from 'bullmq';

const H = 3_600_000;
const D = 24 * H;

describe('NEUPUSH_FREQUENCY_CAP', () => {
  it('is off by default, and N/duration otherwise', () => {
    expect(loadConfig({})).not.toHaveProperty('frequencyCap');
    expect(loadConfig({ NEUPUSH_FREQUENCY_CAP: 'off' })).not.toHaveProperty('frequencyCap');
    expect(loadConfig({ NEUPUSH_FREQUENCY_CAP: '2/24h' }).frequencyCap).toEqual({ max: 2, perMs: D });
    expect(loadConfig({ NEUPUSH_FREQUENCY_CAP: '1000/30d' }).frequencyCap).toEqual({ max: 1000, perMs: 30 * D });
    expect(loadConfig({ NEUPUSH_FREQUENCY_CAP: '1/1m' }).frequencyCap).toEqual({ max: 1, perMs: 60_000 });
  });

  it.each(['0/24h', '1001/24h', '2/59s', '2/31d', '2', '24h', 'two/24h', '2/24x', '-1/1h', '2.5/1h'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ NEUPUSH_FREQUENCY_CAP: value })).toThrow(ConfigError);
    expect(() => loadConfig({ NEUPUSH_FREQUENCY_CAP: value })).toThrow(/NEUPUSH_FREQUENCY_CAP must be off or N\/duration/);
  });
});

describe('the frequencyCap option', () => {
  const deployment = { max: 2, perMs: D };
  it.each([
    [undefined, 'default', deployment],
    [undefined, 'none', undefined],
    [true, 'none', deployment],
    [false, 'default', undefined],
    [{ max: 3, per: '7d' }, 'none', { max: 3, perMs: 7 * D }],
    [{ max: 1, per: 90 * 60_000 }, 'default', { max: 1, perMs: 90 * 60_000 }],
  ] as const)('%j with absent=%s gives %j', (input, whenAbsent, expected) => {
    const { cap, issues } = resolveFrequencyCap(input, deployment, whenAbsent);
    expect(issues).toEqual([]);
    expect(cap).toEqual(expected);
  });

  it.each([
    [{ max: 0, per: '24h' }, ['frequencyCap.max']],
    [{ max: 1.5, per: '24h' }, ['frequencyCap.max']],
    [{ max: 2, per: '30s' }, ['frequencyCap.per']],
    [{ max: 2, per: '31d' }, ['frequencyCap.per']],
    [{ max: 2000, per: 'soon' }, ['frequencyCap.max', 'frequencyCap.per']],
    [{ max: 2, per: '1h', extra: 1 }, ['frequencyCap']],
    ['2/24h', ['frequencyCap']],
  ])('refuses %j naming %j', (input, fields) => {
    expect(resolveFrequencyCap(input, undefined, 'default').issues.map((i) => i.field)).toEqual(fields);
  });

  it('true without a deployment default is refused', () => {
    expect(resolveFrequencyCap(true, undefined, 'none').issues).toEqual([
      { field: 'frequencyCap', rule: 'is true, but no NEUPUSH_FREQUENCY_CAP default is set: give { max, per }' },
    ]);
  });

  it('reads and writes N/duration', () => {
    expect(parseCapText(' 2 / 24h ')).toEqual({ max: 2, perMs: D });
    expect(parseCapText('2/1h30m')).toEqual({ max: 2, perMs: 1.5 * H });
    expect(formatCap({ max: 2, perMs: D })).toBe('2/24h');
    expect(formatCap({ max: 5, perMs: 7 * D })).toBe('5/7d');
    expect(formatCap({ max: 1, perMs: 90 * 60_000 })).toBe('1/90m');
  });

  it('a campaign carries the default unless it sets its own or false, and its fingerprint covers a given cap only', () => {
    const base: CreateCampaignOptions = { id: 'c', notification: { title: 'T', text: 'x', navigateType: '2', url: 'https://example.com' }, recipients: [] };
    const now = Date.UTC(2026, 0, 1);
    expect(resolveCampaignSpec(base, now, H, deployment)).toMatchObject({ frequencyCap: deployment, summary: { frequencyCap: '2/24h' } });
    expect(resolveCampaignSpec({ ...base, frequencyCap: false }, now, H, deployment)).not.toHaveProperty('frequencyCap');
    expect(resolveCampaignSpec({ ...base, frequencyCap: { max: 1, per: '1h' } }, now, H, deployment).frequencyCap).toEqual({ max: 1, perMs: H });
    const plain = resolveCampaignSpec(base, now, H).fingerprint;
    expect(resolveCampaignSpec(base, now, H, deployment).fingerprint).toBe(plain);
    expect(resolveCampaignSpec({ ...base, frequencyCap: { max: 1, per: '1h' } }, now, H).fingerprint).not.toBe(plain);
    expect(resolveCampaignSpec({ ...base, frequencyCap: { max: 1, per: '1h' } }, now, H).fingerprint).toBe(
      resolveCampaignSpec({ ...base, frequencyCap: { max: 1, per: H } }, now, H).fingerprint,
    );
  });

  it('send options check the envelope and the limits', () => {
    expect(resolveTiming({ frequencyCap: true }, 0, H).frequencyCap).toBe(true);
    expect(() => resolveTiming({ frequencyCap: { max: 2, per: '40d' } }, 0, H)).toThrow(/frequencyCap\.per: must be a duration from 1m to 30d/);
  });
});

describe('job data and metrics', () => {
  const job: DeliveryJobData = {
    v: 1,
    notificationId: 'n',
    deliveryKey: 'n.0',
    notification: { title: 'T', text: 'x', navigateType: '2', url: 'https://example.com', openIds: ['a'] },
    sendAt: 1,
    deadline: 2,
  };
  it('the hand check takes a well-formed cap and refuses a broken one', () => {
    expect(checkJobData({ ...job, frequencyCap: { max: 2, perMs: D } })).toEqual({ ok: true, data: { ...job, frequencyCap: { max: 2, perMs: D } } });
    expect(checkJobData({ ...job, frequencyCap: { max: 0, perMs: D } }).ok).toBe(false);
    expect(checkJobData({ ...job, frequencyCap: { max: 2 } }).ok).toBe(false);
  });

  it('neupush_capped_recipients_total counts capped recipients once, when their delivery settles', async () => {
    const metrics = createWorkerMetrics({ queues: [] });
    const fake = {} as Job;
    await metrics.hooks.onDelivered?.(job, fake, { capped: 3 });
    await metrics.hooks.onDelivered?.(job, fake);
    await metrics.hooks.onDeadLettered?.(job, 'exhausted', fake, { attempts: 8, lastError: 'x', capped: 2 });
    expect(await metrics.registry.metrics()).toMatch(/^neupush_capped_recipients_total 5$/m);
  });
});
