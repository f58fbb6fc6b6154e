import { describe, expect, it } from 'vitest';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import { checkJobData } from '../../src/worker/job-data-check.js';

const stored: DeliveryJobData = {
  v: 1,
  notificationId: 'n-1',
  deliveryKey: 'n-1.0',
  notification: { title: 'Hi', text: 'There', navigateType: '1', language: 'en_US', notifyType: 1, openIds: ['u-1', 'u-2'] },
  sendAt: 1_700_000_000_000,
  deadline: 1_700_003_600_000,
  campaignId: 'c-1',
  chunk: { index: 0, count: 1 },
  redrives: 0,
};

const withNotification = (over: Record<string, unknown>) => ({ ...stored, notification: { ...stored.notification, ...over } });

describe('checkJobData', () => {
  it('takes job data as the producer stores it as it is, without copying it', () => {
    expect(checkJobData(stored)).toStrictEqual({ ok: true, data: stored });
    expect((checkJobData(stored) as { data: unknown }).data).toBe(stored);
  });

  it('reads what the schema can still read (a hand-edited code as a number) as the schema reads it', () => {
    const result = checkJobData(withNotification({ navigateType: 1 }));
    expect(result).toMatchObject({ ok: true, data: { notification: { navigateType: '1' } } });
  });

  it('sends a repeated openId once, as the schema does (a campaign chunk can hold a repeat)', () => {
    const result = checkJobData(withNotification({ openIds: ['u-1', 'u-2', 'u-1'] }));
    expect(result).toMatchObject({ ok: true, data: { notification: { openIds: ['u-1', 'u-2'] } } });
  });

  it.each([
    { name: 'not an object', data: 'n-1', field: 'job data fails the schema: ' },
    { name: 'a newer job version', data: { ...stored, v: 2 }, field: 'v:' },
    { name: 'no deliveryKey', data: { ...stored, deliveryKey: undefined }, field: 'deliveryKey:' },
    { name: 'a deadline that is not a number', data: { ...stored, deadline: '2026-12-01' }, field: 'deadline:' },
    { name: 'a campaignId that is not a string', data: { ...stored, campaignId: 7 }, field: 'campaignId:' },
    { name: 'a negative chunk index', data: { ...stored, chunk: { index: -1, count: 1 } }, field: 'chunk.index:' },
    { name: 'no notification', data: { ...stored, notification: undefined }, field: 'notification:' },
    { name: 'an empty title', data: withNotification({ title: '' }), field: 'notification.title:' },
    { name: 'an unknown navigateType', data: withNotification({ navigateType: '3' }), field: 'notification.navigateType:' },
    { name: 'an openId with a comma (it would name other recipients)', data: withNotification({ openIds: ['u-1,u-9'] }), field: 'notification.openIds.0:' },
    { name: 'an openId that is not a string', data: withNotification({ openIds: [42] }), field: 'notification.openIds.0:' },
    { name: 'an unknown language', data: withNotification({ language: 'fr_FR' }), field: 'notification.language:' },
    { name: 'a url that is not a string', data: withNotification({ url: 5 }), field: 'notification.url:' },
  ])('refuses $name, naming the field', ({ data, field }) => {
    const result = checkJobData(data);
    expect(result.ok).toBe(false);
    expect((result as { why: string }).why).toMatch(/^job data fails the schema: /);
    expect((result as { why: string }).why).toContain(field);
  });
});
