import { afterEach, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { openDeadLetterQueue } from '../../src/shared/queues.js';
import type { ActivityJobData, DeadLetterData } from '../../src/shared/job-data.js';
import { DELIVERY_QUEUE } from '../../src/shared/queue-names.js';
import { dashboardPerTest } from '../helpers/dashboard.js';
import { redisUrl } from '../helpers/isolation.js';

const startBoard = dashboardPerTest();
let producer: Producer | undefined;
afterEach(async () => {
  await producer?.close();
  producer = undefined;
});

const CARD = { title: 'Ticket', text: 'Gate 3', color: 'FFFFFF', templateId: '1', iconUrl: 'https://example.com/i.png', language: 'en_US', openIds: ['u-1'] } as const;

describe('dashboard: activity cards', () => {
  it('lists activity jobs in the delivery queue by their own name, and renders their dead letters like any other', async () => {
    const b = await startBoard();
    producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix: b.prefix } });
    const shown = await producer.showActivity({ ...CARD, activityId: 'ticket-3' }, { sendAt: new Date(Date.now() + 3_600_000), validityTime: 60 });

    const res = await b.call(`api/queues?activeQueue=${DELIVERY_QUEUE}&status=delayed&page=1&jobsPerPage=50`);
    expect(res.status).toBe(200);
    const queues = (await res.json()) as { queues: { name: string; jobs: { id: string; name: string }[] }[] };
    const jobs = queues.queues.find((q) => q.name === DELIVERY_QUEUE)?.jobs ?? [];
    expect(jobs.map((j) => [j.id, j.name])).toEqual([[`${shown.id}.show.0`, 'activity-show']]);

    // A superseded show, as the worker writes it.
    const job = (await producer.deliveries.getJob(`${shown.id}.show.0`))!;
    const entry: DeadLetterData = {
      v: 1,
      reason: 'superseded',
      attempts: 2,
      lastError: 'not shown: its card was removed by a later remove',
      jobId: job.id!,
      delivery: job.data as ActivityJobData,
      queuedAt: job.timestamp,
      failedAt: Date.now(),
    };
    const deadLetters = openDeadLetterQueue(producer.config, producer.redis);
    await deadLetters.add('superseded', entry, { jobId: job.id! });
    await deadLetters.close();

    expect(await producer.listDeadLetters()).toEqual([expect.objectContaining({ reason: 'superseded', kind: 'activity', activityId: 'ticket-3', recipients: 1 })]);
    const page = await b.call('dead-letters');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('superseded');
    expect(html).not.toContain('u-1');
  });
});
