import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';
import { scanKeys } from '../helpers/key-snapshot.js';
import { runCli } from '../helpers/run-cli.js';

const NOTE = {
  title: 'Spring sale',
  text: 'Half price',
  navigateType: 1,
  language: 'en_US',
  translations: { ar_SA: { title: 'تخفيضات الربيع', text: 'بنصف السعر' } },
};

let dir: string;
let prefix: string;
let redis: Redis;
/** Each run starts a Node process with tsx: seconds on a loaded machine. */
const SLOW = { timeoutMs: 50_000 };
const env = () => ({ REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix, LOG_LEVEL: 'warn' });

const keys = () => scanKeys(redis, prefix);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'neupush-dry-'));
  prefix = testPrefix();
  redis = new Redis(redisUrl());
  await writeFile(join(dir, 'note.json'), JSON.stringify(NOTE));
  // A header row in its own order; u2 is repeated; u4 names no language.
  await writeFile(join(dir, 'people.csv'), 'language,openId\nar_SA,u1\nen_US,u2\nar_SA,u3\nar_SA,u2\n,u4\n');
  await writeFile(join(dir, 'bad.csv'), 'openId,language\nu1,ar_SA\nu2,fr_FR\nu3,\n');
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

describe('neupush campaign create --dry-run', () => {
  it('prints the plan (exit 0) and writes no key', async () => {
    const before = await keys();
    const args = ['campaign', 'create', '--id', 'dry-cli', '--recipients', join(dir, 'people.csv'), '-f', join(dir, 'note.json'), '--dry-run'];
    const json = await runCli([...args, '--json'], env(), SLOW);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      dryRun: true,
      id: 'dry-cli',
      read: 5,
      recipients: 4,
      requests: 2,
      byLanguage: { ar_SA: { recipients: 2, requests: 1 }, en_US: { recipients: 2, requests: 1 } },
      sendTimes: { distinct: 1 },
    });
    const text = await runCli(args, env(), SLOW);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('dry run: campaign dry-cli would queue 4 recipients (5 records read) in 2 requests');
    expect(text.stdout).toContain('nothing was written');
    expect(await keys()).toEqual(before);
  }, 120_000);

  it('exits 2 naming the first bad record, and writes no key', async () => {
    const before = await keys();
    const run = await runCli(['campaign', 'create', '--recipients', join(dir, 'bad.csv'), '-f', join(dir, 'note.json'), '--dry-run'], env(), SLOW);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.csv line 3: language must be one of en_US, ar_SA, zh_CN');
    expect(run.stdout).toBe('');
    expect(await keys()).toEqual(before);
  });

  it('--quiet-hours and --throttle: the plan shows moved recipients and the expected finish; bad values exit 2 naming the flag', async () => {
    const before = await keys();
    // 00:00-23:59 holds nearly everyone, whatever the time the test runs (a minute a day excepted: 23:59 UTC).
    const base = ['campaign', 'create', '--recipients', join(dir, 'people.csv'), '-f', join(dir, 'note.json'), '--dry-run', '--default-timezone', 'UTC'];
    const run = await runCli([...base, '--quiet-hours', '00:00-23:59', '--throttle', '2', '--json'], env(), SLOW);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as { heldByQuietHours: number; expectedFinishAt: string; sendTimes: { first: string } };
    expect(plan).toMatchObject({ recipients: 4, requests: 2 });
    expect([0, 4]).toContain(plan.heldByQuietHours);
    // Two a minute, so requests of 2: the ar_SA pair at the send time, the en_US pair (same send time, so
    // the same pace) a minute later.
    expect(Date.parse(plan.expectedFinishAt) - Date.parse(plan.sendTimes.first)).toBe(60_000);

    const badHours = await runCli([...base, '--quiet-hours', '22:00-24:00'], env(), SLOW);
    expect(badHours.code).toBe(2);
    expect(badHours.stderr).toContain('--quiet-hours');
    expect(badHours.stderr).toContain('HH:MM-HH:MM');
    const badThrottle = await runCli([...base, '--quiet-hours', '22:00-08:00', '--throttle', '0'], env(), SLOW);
    expect(badThrottle.code).toBe(2);
    expect(badThrottle.stderr).toContain('--throttle');
    const noZone = await runCli(['campaign', 'create', '--recipients', join(dir, 'people.csv'), '-f', join(dir, 'note.json'), '--dry-run', '--quiet-hours', '22:00-08:00'], env(), SLOW);
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain('has no time zone, and --default-timezone is not set');
    expect(await keys()).toEqual(before);
  }, 200_000);
});
