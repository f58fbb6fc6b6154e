import { describe, expect, it } from 'vitest';
import { ActivityCardSchema, toActivityWireParams, validitySeconds, type ActivityRequest } from '../../src/neuxnet/activity.js';
import { sign } from '../../src/neuxnet/sign.js';
import type { ActivityJobData } from '../../src/shared/job-data.js';
import { verifyActivityRequest } from '../../src/sandbox/verify-activity.js';
import { checkJobData } from '../../src/worker/job-data-check.js';
import { deliveryFacts } from '../../src/worker/webhook-hooks.js';

const CARD = { title: 'Ticket', text: 'Flight NX12', color: 'FFFFFF', templateId: 1, iconUrl: 'https://example.com/i.png', language: 'en_US' } as const;
const NOW = 1_700_000_000_000;
const ctx = { appid: 'app-1', secret: 'demo-secret', now: NOW };

const request: ActivityRequest = {
  title: 'Ticket',
  text: 'Flight NX12',
  color: 'FFFFFF',
  templateId: '1',
  iconUrl: 'https://example.com/i.png',
  language: 'en_US',
  activityId: 'trip-7',
  openIds: ['u-1', 'u-2'],
  status: 1,
  validityTime: 120,
};

const signed = (over: Partial<ActivityRequest> = {}, edit: (p: Record<string, string>) => void = () => {}) => {
  const params = toActivityWireParams({ ...request, ...over }, 'app-1', NOW);
  edit(params);
  return { ...params, sign: sign(params, ctx.secret) };
};

describe('ActivityCardSchema', () => {
  it('takes the vendor fields, templateId as a string or number', () => {
    expect(ActivityCardSchema.parse(CARD)).toEqual({ ...CARD, templateId: '1' });
  });

  it.each([
    [{ color: '#FFFFFF' }, 'color'],
    [{ color: 'FFFFF' }, 'color'],
    [{ iconUrl: 'javascript:alert(1)' }, 'iconUrl'],
    [{ language: 'fr_FR' }, 'language'],
    [{ templateId: '' }, 'templateId'],
    [{ status: 0 }, 'status'],
    [{ validityTime: 60 }, 'validityTime'],
    [{ title: undefined }, 'title'],
    [{ navigateType: 1 }, ''],
  ])('refuses %o naming %s', (over, field) => {
    const result = ActivityCardSchema.safeParse({ ...CARD, ...over });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });
});

describe('activity wire and validity', () => {
  it('sends every field of the table, path only when set, validity as given or left until `until`', () => {
    expect(toActivityWireParams(request, 'app-1', NOW)).toEqual({
      appid: 'app-1',
      timestamp: String(NOW),
      activityId: 'trip-7',
      openIds: 'u-1,u-2',
      color: 'FFFFFF',
      templateId: '1',
      title: 'Ticket',
      text: 'Flight NX12',
      iconUrl: 'https://example.com/i.png',
      status: '1',
      validityTime: '120',
      language: 'en_US',
    });
    expect(validitySeconds(1, { validityTime: 90 }, NOW)).toBe(90);
    expect(validitySeconds(1, { until: NOW + 59_001 }, NOW)).toBe(60);
    expect(validitySeconds(1, { until: NOW - 5 }, NOW)).toBe(1);
    expect(validitySeconds(0, { validityTime: 90 }, NOW)).toBe(0);
  });
});

describe('sandbox sendActivity verification', () => {
  it('accepts a signed request as the spec describes it, a remove with validity 0 too', () => {
    expect(verifyActivityRequest(signed(), ctx)).toEqual({ ok: true, openIds: ['u-1', 'u-2'] });
    expect(verifyActivityRequest(signed({ status: 0, validityTime: 0 }), ctx)).toMatchObject({ ok: true });
    expect(verifyActivityRequest(signed({ path: 'pages/index/index' }), ctx)).toMatchObject({ ok: true });
  });

  it.each([
    ['a missing field', (p: Record<string, string>) => delete p.templateId, 400, 'templateId'],
    ['a bad colour', (p: Record<string, string>) => (p.color = 'red'), 400, 'color'],
    ['a status other than 0 or 1', (p: Record<string, string>) => (p.status = '2'), 400, 'status'],
    ['a show valid for 0 s', (p: Record<string, string>) => (p.validityTime = '0'), 400, 'validityTime'],
    ['an unknown language', (p: Record<string, string>) => (p.language = 'de_DE'), 400, 'language'],
    ['a non-http icon', (p: Record<string, string>) => (p.iconUrl = 'file:///x'), 400, 'iconUrl'],
    ['a title too long', (p: Record<string, string>) => (p.title = 'x'.repeat(257)), 400, 'title'],
  ])('refuses %s', (_what, edit, status, word) => {
    const verdict = verifyActivityRequest(signed({}, edit), ctx);
    expect(verdict).toMatchObject({ ok: false, status });
    expect((verdict as { msg: string }).msg).toContain(word);
  });

  it('refuses a wrong signature and a leaked secret', () => {
    expect(verifyActivityRequest({ ...signed(), title: 'changed' }, ctx)).toMatchObject({ ok: false, status: 401, msg: 'signature mismatch' });
    expect(verifyActivityRequest({ ...signed(), secret: 'demo-secret' }, ctx)).toMatchObject({ ok: false, status: 400 });
  });
});

describe('activity job data at pickup', () => {
  const job: ActivityJobData = {
    v: 1,
    kind: 'activity',
    deliveryKey: 'act-1.show.0',
    sendAt: NOW,
    deadline: NOW + 3_600_000,
    activity: { ...request, openIds: ['u-1'], validityTime: 60 },
  };

  it('takes a stored activity job as it is, and reads its facts for webhooks', () => {
    expect((checkJobData(job) as { data: unknown }).data).toBe(job);
    expect(deliveryFacts(job)).toEqual({ kind: 'activity', id: 'trip-7', openIds: ['u-1'], status: 1 });
  });

  it('refuses an activity id that could shape a key, and a show without a validity, naming the field', () => {
    const badId = checkJobData({ ...job, activity: { ...job.activity, activityId: 'x:removed' } });
    expect(badId).toMatchObject({ ok: false, why: expect.stringContaining('activity.activityId') });
    const { validityTime: _v, ...noValidity } = job.activity;
    expect(checkJobData({ ...job, activity: noValidity })).toMatchObject({ ok: false, why: expect.stringContaining('activity.validityTime') });
  });
});
