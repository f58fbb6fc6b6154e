import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysWithPrefix, redisUrl, testPrefix } from '../helpers/isolation.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');
const NOTE = { title: 'Spring sale', text: 'Half price', navigateType: 1, language: 'en_US' };

let dir: string;
let prefix: string;
let redis: Redis;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function neupush(args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix, LOG_LEVEL: 'warn' },
        timeout: 30_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
  });
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'neupush-campaign-cli-'));
  prefix = testPrefix();
  redis = new Redis(redisUrl());
  await file('note.json', JSON.stringify(NOTE));
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, prefix);
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

describe('neupush campaign', () => {
  it('create --json from a CSV file, then status, list and cancel', async () => {
    const lines = ['openId,timezone', ...Array.from({ length: 250 }, (_, i) => `u${i},${i % 2 ? 'Asia/Riyadh' : 'Europe/London'}`), '', 'u0,Europe/London', ''];
    const recipients = await file('people.csv', `${lines.join('\n')}\n`);
    const created = await neupush(['campaign', 'create', '--recipients', recipients, '--file', join(dir, 'note.json'), '--id', 'cli-1', '--local-time', '09:00', '--json']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    // Two zones of 125, in chunks of at most 100: 4 jobs. The repeated u0 is sent once.
    expect(created.stdout).toBe('{"id":"cli-1","recipients":250,"jobs":4}\n');

    const [status, list] = await Promise.all([neupush(['campaign', 'status', 'cli-1', '--json']), neupush(['campaign', 'list', '--json'])]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: 'cli-1', state: 'scheduled', recipients: 250, sent: 0, failed: 0, cancelled: 0, pending: 250, retrying: 0, failedByReason: {} });
    expect((JSON.parse(list.stdout) as { id: string; localTime: string }[]).map((c) => [c.id, c.localTime])).toEqual([['cli-1', '09:00']]);

    const cancel = await neupush(['campaign', 'cancel', 'cli-1']);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe('cancelled cli-1: stopped 250 recipients; sent 0, failed 0, cancelled 250, pending 0\n');
    const watched = await neupush(['campaign', 'status', 'cli-1', '--watch', '--json']);
    expect(watched.stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(watched.stdout)).toMatchObject({ id: 'cli-1', state: 'cancelled', recipients: 250, sent: 0, failed: 0, cancelled: 250, pending: 0 });
  });

  it('stdin, and bad recipient files: exit 2 naming the line, nothing queued', async () => {
    const note = join(dir, 'note.json');
    const [empty, fields] = await Promise.all([file('blank.txt', '\n\n   \n'), file('fields.csv', 'u1,UTC\n\nu2,UTC,VIP\n')]);
    // Independent processes: run them side by side.
    const [stdin, blank, malformed] = await Promise.all([
      neupush(['campaign', 'create', '--recipients', '-', '--file', note, '--id', 'cli-stdin', '--json'], 'a\nb\n\nc\na\n'),
      neupush(['campaign', 'create', '--recipients', empty, '--file', note, '--id', 'bad-1']),
      neupush(['campaign', 'create', '--recipients', fields, '--file', note, '--id', 'bad-2']),
    ]);
    expect(stdin).toMatchObject({ code: 0, stdout: '{"id":"cli-stdin","recipients":3,"jobs":1}\n' });
    expect(blank).toMatchObject({ code: 2, stdout: '', stderr: `neupush: ${empty} has no recipients (it is empty or only blank lines)\n` });
    expect(malformed).toMatchObject({ code: 2, stdout: '', stderr: `neupush: ${fields} line 3: expected "openId" or "openId,timezone", got 3 fields\n` });
    // Other malformed lines are covered line by line in test/unit/recipients-file.test.ts.
    expect(await redis.exists(`${prefix}:np:campaign:bad-1`, `${prefix}:np:campaign:bad-2`)).toBe(0);
    expect(await redis.zrange(`${prefix}:np:campaigns`, 0, -1)).not.toContain('bad-2');
  });
});

describe('neupush campaign create: an id taken by another request', () => {
  it('exits 2 naming the campaign, and the first campaign stands', async () => {
    const people = await file('taken.txt', 'u1\nu2\n');
    const other = await file('other-note.json', JSON.stringify({ ...NOTE, text: 'Another text' }));
    const first = await neupush(['campaign', 'create', '--recipients', people, '--file', join(dir, 'note.json'), '--id', 'cli-taken', '--json']);
    expect(first).toMatchObject({ code: 0, stdout: '{"id":"cli-taken","recipients":2,"jobs":1}\n' });
    const conflict = await neupush(['campaign', 'create', '--recipients', people, '--file', other, '--id', 'cli-taken', '--json']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/^neupush: campaign cli-taken already exists with a different notification or timing/);
    expect(await redis.hget(`${prefix}:np:campaign:cli-taken`, 'total')).toBe('2');
  });
});

describe('neupush schedule', () => {
  it('set, then remove; a misspelt zone is exit 2', async () => {
    const note = await file('tips.json', JSON.stringify({ ...NOTE, openIds: ['u1'] }));
    const [bad, set] = await Promise.all([
      neupush(['schedule', 'set', 'tips', '--cron', '0 9 * * 1', '--timezone', 'Asia/Riyad', '--file', note]),
      neupush(['schedule', 'set', 'tips', '--cron', '0 9 * * 1', '--timezone', 'Asia/Riyadh', '--file', note, '--json']),
    ]);
    expect(bad).toMatchObject({ code: 2, stderr: 'neupush: Invalid schedule: timezone: unknown time zone "Asia/Riyad"\n' });
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ id: 'tips', cron: '0 9 * * 1', timezone: 'Asia/Riyadh', next: expect.stringMatching(/T06:00:00\.000Z$/) });
    expect(await neupush(['schedule', 'remove', 'tips'])).toMatchObject({ code: 0, stdout: 'schedule tips removed\n' });
  });
});
