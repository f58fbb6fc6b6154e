import { describe, expect, it } from 'vitest';
import type { DeliveryJobData } from '../../src/shared/job-data.js';
import { webhookId } from '../../src/shared/webhook-events.js';
import { activityRemovedEvent, deliveryEventData } from '../../src/worker/webhook-hooks.js';

const AT = Date.parse('2026-12-01T10:00:00Z');
const notification: DeliveryJobData = {
  v: 1,
  notificationId: 'n-1',
  deliveryKey: 'n-1.0',
  notification: { title: 'T', text: 'B', navigateType: '1', language: 'en_US', openIds: ['o-1', 'o-2'] },
  sendAt: AT,
  deadline: AT + 3_600_000,
};
/** An activity delivery as the activity-cards work marks it: kind, and the card with its status. */
const removal = {
  ...notification,
  deliveryKey: 'a-1.remove.0',
  kind: 'activity',
  activity: { activityId: 'boarding-pass-7', status: 0, openIds: ['o-1'] },
} as unknown as DeliveryJobData;

describe('webhook events', () => {
  it('delivery data: counts only, unless openIds are asked for; never the content', () => {
    const data = deliveryEventData({ webhookIncludeOpenIds: false }, notification, 2, 15);
    expect(data).toEqual({ kind: 'notification', notificationId: 'n-1', deliveryKey: 'n-1.0', openIdCount: 2, attempts: 2, sendAt: '2026-12-01T10:00:00.000Z', latenessMs: 15 });
    expect(deliveryEventData({ webhookIncludeOpenIds: true }, notification, 1).openIds).toEqual(['o-1', 'o-2']);
  });

  it('activity.removed for a delivered status-0 activity send, under an id stable for its delivery', () => {
    const event = activityRemovedEvent({ webhookIncludeOpenIds: false }, removal, 1, AT);
    expect(event).toEqual({
      id: webhookId('activity.removed', 'a-1.remove.0'),
      event: { type: 'activity.removed', timestamp: '2026-12-01T10:00:00.000Z', data: { activityId: 'boarding-pass-7', deliveryKey: 'a-1.remove.0', openIdCount: 1, attempts: 1 } },
    });
    expect(activityRemovedEvent({ webhookIncludeOpenIds: false }, notification, 1, AT)).toBeUndefined();
    const shown = { ...removal, activity: { activityId: 'boarding-pass-7', status: 1 } } as unknown as DeliveryJobData;
    expect(activityRemovedEvent({ webhookIncludeOpenIds: false }, shown, 1, AT)).toBeUndefined();
    expect(deliveryEventData({ webhookIncludeOpenIds: false }, removal, 1)).toMatchObject({ kind: 'activity', notificationId: 'boarding-pass-7' });
  });

  it('ids are per happening: the same subject gives the same id, another type or subject another', () => {
    expect(webhookId('delivery.succeeded', 'k.0')).toBe(webhookId('delivery.succeeded', 'k.0'));
    expect(webhookId('delivery.succeeded', 'k.0')).not.toBe(webhookId('delivery.dead_lettered', 'k.0'));
    expect(webhookId('delivery.succeeded', 'k.0')).toMatch(/^msg_[0-9a-f]{32}$/);
  });
});
