import { afterEach, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, SCHEDULE_QUEUE, WEBHOOK_DEAD_LETTER_QUEUE, WEBHOOK_QUEUE } from '../../src/shared/queue-names.js';
import { dashboardPerTest, type TestDashboard } from '../helpers/dashboard.js';
import { redisUrl } from '../helpers/isolation.js';

const startBoard = dashboardPerTest();
let producer: Producer | undefined;

afterEach(async () => {
  await producer?.close();
  producer = undefined;
});

const notification = { title: 'Later', text: 'Body', navigateType: 1, language: 'en_US', openIds: ['u-1'] } as const;
const json = { 'content-type': 'application/json' };

interface BoardQueue {
  name: string;
  description?: string;
  hasWorkers: boolean | null;
  jobs: { id: string; data: Record<string, unknown> }[];
}

async function boardQueues(b: TestDashboard, activeQueue = DELIVERY_QUEUE, status = 'delayed'): Promise<BoardQueue[]> {
  const res = await b.call(`api/queues?activeQueue=${activeQueue}&status=${status}&page=1&jobsPerPage=50`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { queues: BoardQueue[] }).queues;
}

async function startWithProducer(): Promise<{ b: TestDashboard; p: Producer }> {
  const board = await startBoard();
  producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix: board.prefix } });
  return { b: board, p: producer };
}

describe('dashboard as an operator meets it', () => {
  it('shows no "No workers" warning on the dead letters, which nothing consumes by design, but keeps it for deliveries', async () => {
    const { b } = await startWithProducer();
    const queues = await boardQueues(b);
    const dlq = queues.find((q) => q.name === DEAD_LETTER_QUEUE);
    // The board shows its badge only for hasWorkers === false.
    expect(dlq?.hasWorkers).toBeNull();
    expect(dlq?.description).toMatch(/No worker consumes this queue, by design/);
    const webhookDlq = queues.find((q) => q.name === WEBHOOK_DEAD_LETTER_QUEUE);
    expect(webhookDlq?.hasWorkers).toBeNull();
    expect(webhookDlq?.description).toMatch(/No worker consumes this queue, by design/);
    expect(queues.find((q) => q.name === DELIVERY_QUEUE)?.hasWorkers).toBe(false);
    expect(queues.find((q) => q.name === WEBHOOK_QUEUE)?.hasWorkers).toBe(false);
  });

  it('shows sendAt and deadline as ISO dates, keeps ms in Redis, and Update Data with the shown dates stores ms again', async () => {
    const { b, p } = await startWithProducer();
    const sendAt = new Date(Date.now() + 3_600_000);
    const { id } = await p.send(notification, { sendAt });
    const jobId = `${id}.0`;
    const stored = (await b.deliveries.getJob(jobId))?.data as { sendAt: number; deadline: number };
    expect(stored.sendAt).toBe(sendAt.getTime());

    const shown = (await boardQueues(b)).find((q) => q.name === DELIVERY_QUEUE)?.jobs.find((j) => j.id === jobId)?.data;
    expect(shown).toMatchObject({ sendAt: sendAt.toISOString(), deadline: new Date(stored.deadline).toISOString() });

    const edited = { ...shown, notification: { ...(shown?.notification as object), title: 'Edited' } };
    const res = await b.call(`api/queues/${DELIVERY_QUEUE}/${encodeURIComponent(jobId)}/update-data`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ jobData: edited }),
    });
    expect(res.status).toBe(200);
    const after = (await b.deliveries.getJob(jobId))?.data as { sendAt: unknown; deadline: unknown; notification: { title: string } };
    expect(after).toMatchObject({ sendAt: stored.sendAt, deadline: stored.deadline, notification: { title: 'Edited' } });
  });

  it('refuses to promote a delivery scheduled more than a minute ahead, one or all, with 409 and a reason', async () => {
    const { b, p } = await startWithProducer();
    const far = new Date(Date.now() + 2 * 3_600_000);
    const { id } = await p.send(notification, { sendAt: far });
    const soon = await p.send({ ...notification, title: 'Soon' }, { sendAt: new Date(Date.now() + 30_000) });
    const jobId = `${id}.0`;

    const one = await b.call(`api/queues/${DELIVERY_QUEUE}/${encodeURIComponent(jobId)}/promote`, { method: 'PUT' });
    expect(one.status).toBe(409);
    expect(((await one.json()) as { error: string }).error).toMatch(
      new RegExp(`^refusing to promote ${jobId.replace(/\./g, '\\.')}: it is scheduled for ${far.toISOString().replace(/\./g, '\\.')}, 2 h from now, and promoting would send it at once`),
    );
    const all = await b.call(`api/queues/${DELIVERY_QUEUE}/promote`, { method: 'PUT' });
    expect(all.status).toBe(409);
    expect(((await all.json()) as { error: string }).error).toMatch(/^refusing to promote all: 1 delayed job is scheduled more than 60 s ahead/);
    expect(await (await b.deliveries.getJob(jobId))?.getState()).toBe('delayed');
    expect(await (await b.deliveries.getJob(`${soon.id}.0`))?.getState()).toBe('delayed');

    const due = await b.call(`api/queues/${DELIVERY_QUEUE}/${encodeURIComponent(`${soon.id}.0`)}/promote`, { method: 'PUT' });
    expect(due.status).toBe(204);
    expect(await (await b.deliveries.getJob(`${soon.id}.0`))?.getState()).toMatch(/^(waiting|prioritized)$/);
  });

  it('promotes all when every delayed delivery is due within a minute', async () => {
    const { b, p } = await startWithProducer();
    const sent = await Promise.all([10_000, 40_000].map((ms, i) => p.send({ ...notification, title: `Soon ${i}` }, { sendAt: new Date(Date.now() + ms) })));
    const res = await b.call(`api/queues/${DELIVERY_QUEUE}/promote`, { method: 'PUT' });
    expect(res.status).toBe(200);
    // Promoted deliveries keep their priority, so they wait as `prioritized`.
    for (const { id } of sent) expect(await (await b.deliveries.getJob(`${id}.0`))?.getState()).toMatch(/^(waiting|prioritized)$/);
  });

  it("refuses to promote a recurring schedule's next firing when it is more than a minute ahead", async () => {
    const { b, p } = await startWithProducer();
    await p.upsertSchedule('new-year', { cron: '0 9 1 1 *', timezone: 'UTC' }, notification);
    const res = await b.call(`api/queues/${SCHEDULE_QUEUE}/promote`, { method: 'PUT' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/^refusing to promote all: 1 delayed job is scheduled more than 60 s ahead \(the first for \d{4}-01-01T09:00:00\.000Z/);
  });
});
