import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';
import { openScheduleQueue } from '../../src/shared/queues.js';
import { JOB_NAME } from '../../src/shared/queue-names.js';
import { ValidationError } from '../../src/shared/errors.js';

const NOTE = { title: 'Weekly tips', text: 'Three things to try this week', navigateType: '1', language: 'en_US' } as const;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

describe('recurring schedules', () => {
  it('set, list, replace and remove; validation names the field', async () => {
    pipeline = await startPipeline({ worker: false, config: { metricsPort: 0 } });
    const p = pipeline.producer;
    const info = await p.upsertSchedule('monday-tips', { cron: '0 9 * * 1', timezone: 'Asia/Riyadh' }, { ...NOTE, openIds: ['u1', 'u2'] });
    expect(info).toMatchObject({ id: 'monday-tips', cron: '0 9 * * 1', timezone: 'Asia/Riyadh' });
    const next = new Date(info.next ?? 0);
    // Monday 09:00 in Riyadh is 06:00 UTC on a Monday.
    expect(next.getUTCDay()).toBe(1);
    expect(next.toISOString()).toMatch(/T06:00:00\.000Z$/);
    expect(next.getTime()).toBeGreaterThan(Date.now());

    await p.upsertSchedule('monday-tips', { cron: '30 8 * * 1', timezone: 'Europe/London', endDate: '2099-01-01T00:00:00Z' }, { ...NOTE, openIds: ['u3'] });
    await p.upsertSchedule('daily', { cron: '0 7 * * *', timezone: 'UTC' }, { ...NOTE, openIds: ['u4'] });
    const list = await p.listSchedules();
    expect(list.map((s) => s.id).sort()).toEqual(['daily', 'monday-tips']);
    expect(list.find((s) => s.id === 'monday-tips')).toMatchObject({
      cron: '30 8 * * 1',
      timezone: 'Europe/London',
      endDate: '2099-01-01T00:00:00.000Z',
      notification: { openIds: ['u3'], title: 'Weekly tips' },
    });

    // What a caller without types might pass.
    const french = { ...NOTE, language: 'fr_FR' } as unknown as typeof NOTE;
    const refused = p.upsertSchedule('bad', { cron: '0 9 * * 1', timezone: 'Europe/Lodnon' }, NOTE);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow('Invalid schedule: timezone: unknown time zone "Europe/Lodnon"');
    await expect(p.upsertSchedule('bad', { cron: '0 25 * * *', timezone: 'UTC' }, NOTE)).rejects.toThrow(/cron: "0 25 \* \* \*" is not a valid cron expression/);
    await expect(p.upsertSchedule('bad', { cron: '0 9 * * *', timezone: 'UTC' }, french)).rejects.toThrow(
      /notification: language: must be one of en_US, ar_SA, zh_CN/,
    );
    expect((await p.listSchedules()).map((s) => s.id)).not.toContain('bad');

    expect(await p.removeSchedule('monday-tips')).toBe(true);
    expect(await p.removeSchedule('monday-tips')).toBe(false);
    expect((await p.listSchedules()).map((s) => s.id)).toEqual(['daily']);
  });

  it('each firing becomes chunked delivery jobs, delivered once per firing', async () => {
    pipeline = await startPipeline({ config: { metricsPort: 0 }, logLevel: 'warn' });
    const p = pipeline;
    const openIds = Array.from({ length: 250 }, (_, i) => `s${i}`);
    const firingsSeen = () => new Set([...p.outcomes.keys()].filter((id) => id.startsWith('s-tick.')).map((id) => id.slice(0, id.lastIndexOf('.'))));
    // Cron fires at most once a minute; to see firings within a test, drive the same template through a
    // one-second BullMQ scheduler on the same queue (what upsertSchedule writes, minus our cron checks).
    const queue = openScheduleQueue(p.producer.config, p.producer.redis);
    try {
      await queue.upsertJobScheduler(
        'tick',
        { every: 1_000 },
        { name: JOB_NAME.scheduleFiring, data: { v: 1, scheduleId: 'tick', notification: { ...NOTE, notifyType: 1, openIds } } },
      );
      await waitUntil(() => firingsSeen().size >= 2, { timeoutMs: 15_000, message: 'two firings delivered' });
      expect(await queue.removeJobScheduler('tick')).toBe(true);
    } finally {
      await queue.close();
    }
    await waitUntil(async () => (await p.producer.deliveries.getJobCountByTypes('active', 'waiting', 'prioritized', 'delayed')) === 0, {
      message: 'the last firing delivered',
    });
    // A firing already running when the scheduler was removed may add its chunks after the count above
    // read 0: wait for every chunk of every firing seen to report, then judge them.
    await waitUntil(() => [...firingsSeen()].every((f) => [0, 1, 2].every((k) => p.outcomes.has(`${f}.${k}`))), {
      message: 'every chunk of every firing reported',
    });

    const firings = firingsSeen();
    for (const firing of firings) {
      // s-<schedule>.<firing instant>: the instant is the firing's due time, which is its send time.
      expect(firing).toMatch(/^s-tick\.\d{13}$/);
      for (const k of [0, 1, 2]) expect(p.outcomes.get(`${firing}.${k}`), `${firing}.${k}`).toEqual({ status: 'delivered', recipients: k < 2 ? 100 : 50 });
      expect(p.outcomes.has(`${firing}.3`)).toBe(false);
    }
    expect(p.sandbox.accepted).toHaveLength(3 * firings.size);
    const counts = new Map<string, number>();
    for (const a of p.sandbox.accepted) for (const id of a.openIds) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(counts.size).toBe(250);
    expect([...counts.values()].every((n) => n === firings.size)).toBe(true);
  });
});
