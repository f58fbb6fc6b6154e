import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/neuxnet/sign.js';
import { ValidationError } from '../../src/shared/errors.js';
import type { NotificationInput } from '../../src/neuxnet/notification.js';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

describe('send now', () => {
  it('delivers exactly the fields the caller set plus the documented defaults, signed', async () => {
    pipeline = await startPipeline();
    const { sandbox, producer, appid, secret } = pipeline;
    const before = Date.now();
    const result = await producer.send({
      title: 'Order shipped',
      text: 'Your order 1042 is on its way & arrives Friday',
      navigateType: 1,
      language: 'en_US',
      rulesType: 3,
      openIds: ['u-1', 'u-2', 'u-1'],
      link: 'pages/orders/detail?id=1042',
    });
    expect(result.jobs).toBe(1);
    expect(await pipeline.waitForJobs(jobIdsOf(result))).toEqual([{ status: 'delivered', recipients: 2 }]);

    expect(sandbox.stats().requests).toBe(1);
    const [request] = sandbox.accepted;
    const { sign: received, timestamp, ...rest } = request!.params;
    expect(rest).toEqual({
      appid,
      notifyType: '1',
      rulesType: '3',
      openIds: 'u-1,u-2',
      title: 'Order shipped',
      text: 'Your order 1042 is on its way & arrives Friday',
      navigateType: '1',
      // Defaulted to the appid, as the 2023 page requires it with navigateType 1.
      miniAppId: appid,
      link: 'pages/orders/detail?id=1042',
      language: 'en_US',
    });
    // Signed at send time: the timestamp is the moment of the call, not of the send() call.
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(request!.receivedAt);
    expect(received).toBe(sign({ ...rest, timestamp: timestamp! }, secret));
  });

  it('sends by phone number with a URL and nothing it was not given, but the default language', async () => {
    pipeline = await startPipeline();
    const result = await pipeline.producer.send({
      title: 'تنبيه',
      text: 'خصم ٢٠٪ اليوم فقط',
      navigateType: '2',
      url: 'https://example.com/sale?x=1&y=2',
      rulesType: '2',
      countryCode: '+966',
      mobileNumber: '123456789',
    });
    await pipeline.waitForJobs(jobIdsOf(result));
    const { sign: _sign, timestamp: _timestamp, ...rest } = pipeline.sandbox.accepted[0]!.params;
    expect(rest).toEqual({
      appid: pipeline.appid,
      notifyType: '1',
      rulesType: '2',
      countryCode: '+966',
      mobileNumber: '123456789',
      title: 'تنبيه',
      text: 'خصم ٢٠٪ اليوم فقط',
      navigateType: '2',
      url: 'https://example.com/sale?x=1&y=2',
      // The 2024 page requires a language on every request: NEUXNET_DEFAULT_LANGUAGE when none is given.
      language: 'en_US',
    });
  });

  it('splits 10,001 openIds into 101 requests of at most 100, each openId exactly once', async () => {
    pipeline = await startPipeline();
    const openIds = Array.from({ length: 10_001 }, (_, i) => `open-${i}`);
    const result = await pipeline.producer.send({ title: 'Sale', text: 'Today only', navigateType: 1, language: 'ar_SA', openIds });
    expect(result.jobs).toBe(101);
    await pipeline.waitForJobs(jobIdsOf(result), 30_000);

    const { accepted } = pipeline.sandbox;
    expect(pipeline.sandbox.stats().requests).toBe(101);
    expect(accepted).toHaveLength(101);
    expect(Math.max(...accepted.map((r) => r.openIds.length))).toBe(100);
    const seen = accepted.flatMap((r) => r.openIds);
    expect(seen).toHaveLength(10_001);
    expect(new Set(seen)).toEqual(new Set(openIds));
  });

  it('refuses bad input at the edge, naming the field, and queues nothing', async () => {
    pipeline = await startPipeline({ worker: false });
    const { producer } = pipeline;
    const attempt = producer.send({ title: 'Hi', text: 'There', navigateType: 2, openIds: ['u-1'] });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ issues: [{ field: 'url' }] });
    await expect(
      // As an untyped (JavaScript) caller could write it.
      producer.send({ title: 'Hi', text: 'There', navigateType: 1, language: 'fr_FR', openIds: ['u-1'] } as unknown as NotificationInput),
    ).rejects.toMatchObject({ name: 'ValidationError', issues: [{ field: 'language' }] });
    await expect(
      producer.send({ title: 'Hi', text: 'There', navigateType: 1, language: 'en_US', openIds: ['u-1'] }, { sendAt: 'tomorrow-ish' }),
    ).rejects.toMatchObject({ name: 'ValidationError', issues: [{ field: 'sendAt' }] });

    const counts = await producer.deliveries.getJobCounts();
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    // Only the queues' own metadata, written when they opened: no job, no idempotency record.
    const keys = await pipeline.redis.keys(`${pipeline.prefix}:*`);
    expect(keys.filter((k) => !k.endsWith(':meta'))).toEqual([]);
  });
});

describe('idempotency key', () => {
  it('sent twice, delivers once and returns the first id', async () => {
    pipeline = await startPipeline();
    const notification = { title: 'Receipt', text: 'Thanks', navigateType: 1, language: 'en_US', openIds: ['u-9'] } as const;
    const first = await pipeline.producer.send(notification, { idempotencyKey: 'order-1042-receipt' });
    await pipeline.waitForJobs(jobIdsOf(first));
    const second = await pipeline.producer.send(notification, { idempotencyKey: 'order-1042-receipt' });
    expect(second).toEqual({ ...first, duplicate: true });

    // Two concurrent sends with a fresh key: one notification between them.
    const [a, b] = await Promise.all([
      pipeline.producer.send(notification, { idempotencyKey: 'order-1043-receipt' }),
      pipeline.producer.send(notification, { idempotencyKey: 'order-1043-receipt' }),
    ]);
    expect(b.id).toBe(a.id);
    await pipeline.waitForJobs(jobIdsOf(a));
    expect(await pipeline.producer.deliveries.getJobCounts('wait', 'delayed', 'prioritized', 'active')).toEqual({
      wait: 0,
      delayed: 0,
      prioritized: 0,
      active: 0,
    });
    expect(pipeline.sandbox.stats().requests).toBe(2);
  });
});
