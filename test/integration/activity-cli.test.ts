import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import type { ActivityJobData } from '../../src/shared/job-data.js';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';
import { runCli } from '../helpers/run-cli.js';

const CARD = { title: 'Boarding pass', text: 'Gate 12', color: 'FFFFFF', templateId: '1', iconUrl: 'https://example.com/i.png', language: 'en_US' };

let dir: string;
let prefix: string;
let producer: Producer | undefined;
let redis: Redis;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'neupush-activity-cli-'));
  redis = new Redis(redisUrl());
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await redis.quit();
});
afterEach(async () => {
  await producer?.close();
  producer = undefined;
  await deleteKeysWithPrefix(redis, prefix);
});

const env = () => ({ REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix, NEUPUSH_CHUNK_SIZE: '2' });

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function jobs(): Promise<ActivityJobData[]> {
  producer ??= await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix } });
  return (await producer.deliveries.getJobs(['delayed', 'wait', 'prioritized'])).map((j) => j.data as ActivityJobData);
}

describe('neupush activity', () => {
  it('show --json queues the card chunked with one activityId, with --validity and --remove-at; remove queues the status-0 send', async () => {
    prefix = testPrefix();
    const card = await file('card.json', JSON.stringify({ ...CARD, activityId: 'trip-7' }));
    const recipients = await file('recipients.txt', 'u-1\nu-2\nu-3\n');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const removeAt = new Date(Date.now() + 7_200_000).toISOString();
    const r = await runCli(['activity', 'show', '--file', card, '--recipients', recipients, '--send-at', later, '--validity', '2h', '--remove-at', removeAt, '--json'], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ activityId: 'trip-7', jobs: 4, duplicate: false });
    const queued = await jobs();
    expect(queued.map((d) => [d.activity.status, d.activity.activityId, d.activity.openIds.length]).sort()).toEqual([
      [0, 'trip-7', 1],
      [0, 'trip-7', 2],
      [1, 'trip-7', 1],
      [1, 'trip-7', 2],
    ]);
    expect(queued.filter((d) => d.activity.status === 1).every((d) => d.activity.validityTime === 7_200)).toBe(true);

    const removed = await runCli(['activity', 'remove', 'trip-7', '--recipients', recipients], env());
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^queued remove of activity trip-7 \(2 delivery jobs\)\n$/);
  });

  it.each([
    ['a bad colour', { ...CARD, color: '#FFF' }, ['--validity', '60s'], 'color'],
    ['an icon that is no http(s) URL', { ...CARD, iconUrl: 'file:///x' }, ['--validity', '60s'], 'iconUrl'],
    ['a status set by the caller', { ...CARD, status: 1 }, ['--validity', '60s'], 'status'],
    ['no validity', CARD, [], 'validityTime'],
    ['a validity that is no duration', CARD, ['--validity', 'soon'], '--validity'],
    ['an until already past', CARD, ['--until', '2020-01-01T00:00:00Z'], 'until'],
  ])('show exits 2 on %s, naming the field, and queues nothing', async (_what, body, flags, field) => {
    prefix = testPrefix();
    const card = await file('bad.json', JSON.stringify(body));
    const recipients = await file('r.txt', 'u-1\n');
    const r = await runCli(['activity', 'show', '--file', card, '--recipients', recipients, ...flags], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(field);
    expect(await jobs()).toHaveLength(0);
  });

  it('remove exits 2 for an id that could shape a key, and for a card neupush never showed', async () => {
    prefix = testPrefix();
    const recipients = await file('r.txt', 'u-1\n');
    const badId = await runCli(['activity', 'remove', 'a:b', '--recipients', recipients], env());
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('id');
    const unknown = await runCli(['activity', 'remove', 'never-shown', '--recipients', recipients], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('activityId');
  });

  it('campaign create --activity queues activity chunks; exactly one of --file and --activity', async () => {
    prefix = testPrefix();
    const card = await file('campaign-card.json', JSON.stringify(CARD));
    const recipients = await file('campaign.txt', 'u-1\nu-2\nu-3\n');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const r = await runCli(['campaign', 'create', '--id', 'cards', '--activity', card, '--validity', '30m', '--recipients', recipients, '--send-at', later, '--json'], env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'cards', recipients: 3, jobs: 2 });
    const queued = await jobs();
    expect(queued.every((d) => d.kind === 'activity' && d.activity.activityId === 'cards' && d.campaignId === 'cards' && d.activity.validityTime === 1_800)).toBe(true);

    const both = await runCli(['campaign', 'create', '--activity', card, '--file', card, '--recipients', recipients], env());
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --file');
    const noValidity = await runCli(['campaign', 'create', '--activity', card, '--recipients', recipients], env());
    expect(noValidity.code).toBe(2);
    expect(noValidity.stderr).toContain('validityTime');
  });
});
