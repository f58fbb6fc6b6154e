import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/producer.js';
import { startApi } from '../../src/producer/http/server.js';
import { CampaignCounters } from '../../src/shared/campaign-counters.js';
import { campaignKeys } from '../../src/shared/campaign-keys.js';
import { createLogger } from '../../src/shared/logger.js';
import type { DeadLetterData, DeadLetterReason } from '../../src/shared/job-data.js';
import { redisUrl, testPrefix } from '../helpers/isolation.js';
import { useTestRedis } from '../helpers/test-redis.js';
import { BIN, ROOT, runCli } from '../helpers/run-cli.js';

const NOTIFICATION = { title: 'Sale', text: 'Today only', navigateType: 2, url: 'https://example.com/sale', openIds: ['u-1'] };

let prefix: string;
let producer: Producer | undefined;
const redis = useTestRedis({
  prefix: () => prefix,
  closeOpened: async () => {
    await producer?.close();
    producer = undefined;
  },
});

async function openProducer(chunkSize = 100): Promise<Producer> {
  prefix = testPrefix();
  producer = await Producer.create({ env: {}, config: { redisUrl: redisUrl(), prefix, chunkSize } });
  return producer;
}

function deadLetter(id: string, reason: DeadLetterReason, campaignId?: string): { name: string; data: DeadLetterData; opts: { jobId: string } } {
  const delivery = { v: 1, notificationId: id, deliveryKey: id, notification: NOTIFICATION, sendAt: 1, deadline: 2, ...(campaignId && { campaignId }) };
  const data: DeadLetterData = { v: 1, reason, attempts: 1, lastError: `HTTP 200, status 400, ${reason} ${'x'.repeat(60)}`, jobId: id, delivery, queuedAt: 1, failedAt: 2 };
  return { name: reason, data, opts: { jobId: id } };
}

const env = () => ({ REDIS_URL: redisUrl(), NEUPUSH_PREFIX: prefix });

describe('CLI manners', () => {
  it('dlq redrive with neither --all nor ids exits 2 and redrives nothing', async () => {
    const p = await openProducer();
    await p.deadLetters.addBulk([deadLetter('n-a.0', 'rejected')]);
    const r = await runCli(['dlq', 'redrive'], env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('neupush: dlq redrive: give either --all or one or more ids\n');
    expect(await p.deadLetters.getJob('n-a.0')).toBeDefined();
    expect(await p.deliveries.count()).toBe(0);
  });

  it('dlq list into a pipe closed early (| head -1) ends quietly with exit 0', async () => {
    const p = await openProducer();
    // Well over a pipe's 64 KB buffer, so the CLI is still writing when the reader goes away.
    await p.deadLetters.addBulk(Array.from({ length: 1_000 }, (_, i) => deadLetter(`n-${i}.0`, 'rejected')));
    const r = await runCli(['dlq', 'list'], env(), { closeStdoutEarly: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag], {});
      expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('a misspelt flag is named on one line with a suggestion, exit 2', async () => {
    const r = await runCli(['send', '--flie', 'order.json'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("neupush: send: unknown option '--flie' (did you mean --file?); see neupush send --help\n");
  });

  it('dlq list --campaign and --reason filter, in the CLI, the library and the HTTP API', async () => {
    const p = await openProducer();
    await p.deadLetters.addBulk([
      deadLetter('c1.a', 'rejected', 'c1'),
      deadLetter('c1.b', 'expired', 'c1'),
      deadLetter('c2.a', 'rejected', 'c2'),
      deadLetter('n-x.0', 'rejected'),
    ]);
    const ids = (list: { id: string }[]) => list.map((e) => e.id).sort();

    const both = await runCli(['dlq', 'list', '--campaign', 'c1', '--reason', 'rejected', '--json'], env());
    expect(both.code).toBe(0);
    expect(ids(JSON.parse(both.stdout) as { id: string }[])).toEqual(['c1.a']);
    const byReason = await runCli(['dlq', 'list', '--reason', 'rejected', '--json'], env());
    expect(ids(JSON.parse(byReason.stdout) as { id: string }[])).toEqual(['c1.a', 'c2.a', 'n-x.0']);

    expect(ids(await p.listDeadLetters({ campaignId: 'c1' }))).toEqual(['c1.a', 'c1.b']);
    expect(await p.listDeadLetters({ campaignId: 'c1', offset: 1, limit: 5 })).toHaveLength(1);
    expect(await p.listDeadLetters({ campaignId: 'nope' })).toEqual([]);

    const api = await startApi({ env: {}, config: { redisUrl: redisUrl(), prefix, apiToken: 't0ken-long-enough-16' }, port: 0, host: '127.0.0.1', logger: createLogger({ level: 'silent' }) });
    try {
      const get = (q: string) => fetch(`${api.url}/v1/dead-letters?${q}`, { headers: { authorization: 'Bearer t0ken-long-enough-16' } });
      const ok = await get('campaign=c1&reason=expired');
      expect(ok.status).toBe(200);
      expect(ids(((await ok.json()) as { deadLetters: { id: string }[] }).deadLetters)).toEqual(['c1.b']);
      const bad = await get('reason=lost');
      expect(bad.status).toBe(400);
      expect(await bad.text()).toMatch(/reason/);
    } finally {
      await api.close();
    }
  });

  it('campaign status shows retrying recipients and failures by reason (human, --json); --watch has no raw {tokens}', async () => {
    const p = await openProducer(1);
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    await p.createCampaign({ id: 'det-1', sendAt, notification: { title: 'Sale', text: 'Today', navigateType: 2, url: 'https://example.com/s' }, recipients: ['u1', 'u2', 'u3'] });
    const chunks = Object.keys(await redis.hgetall(campaignKeys(prefix, 'det-1').chunks)).sort();
    expect(chunks).toHaveLength(3);
    // What a worker leaves behind: one chunk failed an attempt and waits for its retry, one dead-lettered.
    await redis.hset(p.deliveries.toKey(chunks[0]!), 'atm', '1');
    await p.deadLetters.addBulk([deadLetter(chunks[1]!, 'expired', 'det-1')]);
    await new CampaignCounters(redis, prefix, 60_000).transition('det-1', [chunks[1]!], 'p', 'f');

    const json = await runCli(['campaign', 'status', 'det-1', '--json'], env());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ state: 'sending', sent: 0, failed: 1, pending: 2, retrying: 1, failedByReason: { expired: 1 }, firstSendAt: sendAt, lastSendAt: sendAt });
    expect(await p.getCampaign('det-1')).toMatchObject({ retrying: 1, failedByReason: { expired: 1 } });
    const human = await runCli(['campaign', 'status', 'det-1'], env());
    expect(human.stdout).toContain('  retrying 1 (');
    expect(human.stdout).toContain('  dead-lettered 1 (expired 1): neupush dlq list --campaign det-1');
    expect(human.stdout).toContain(`  due ${sendAt}`);

    // On a terminal (script(1) gives it one), the progress bar's first frame has its values.
    await p.cancelCampaign('det-1');
    const shell = `"${process.execPath}" "${BIN}" campaign status det-1 --watch`;
    const { stdout } = await promisify(execFile)('script', ['-qec', shell, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env() }, timeout: 30_000 });
    expect(stdout).toContain('cancelled [');
    expect(stdout).not.toMatch(/\{(state|sent|failed|cancelled|retrying)\}/);
  });
});
