import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { redisUrl } from '../helpers/isolation.js';
import { scanKeys } from '../helpers/key-snapshot.js';
import { runCli } from '../helpers/run-cli.js';

const TOKEN = 'tok-7c1e9a3f5b2d4a6f8e0c1b3d5f7a9c2e';
const NOTE = { title: 'Sale', text: 'Half price', navigateType: 1, language: 'en_US' };
/** Each run starts a Node process with tsx: seconds on a loaded machine. */
const SLOW = { timeoutMs: 50_000 };

let pipeline: Pipeline;
let api: Api;
let dir: string;

beforeAll(async () => {
  pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
  const { secret: _secret, ...producerConfig } = pipeline.config;
  api = await startApi({ env: {}, config: { ...producerConfig, apiToken: TOKEN }, port: 0, host: '127.0.0.1', logger: createLogger({ level: 'fatal' }) });
  dir = await mkdtemp(join(tmpdir(), 'neupush-fcap-'));
  await writeFile(join(dir, 'note.json'), JSON.stringify(NOTE));
  await writeFile(join(dir, 'one.json'), JSON.stringify({ ...NOTE, openIds: ['u1'] }));
  await writeFile(join(dir, 'people.txt'), 'u1\nu2\n');
});

afterAll(async () => {
  await api?.close();
  await pipeline?.close();
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ REDIS_URL: redisUrl(), NEUPUSH_PREFIX: pipeline.prefix, LOG_LEVEL: 'warn', ...extra });

async function post(path: string, body: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { issues?: { field: string; rule: string }[] } };
}

describe('frequency caps at the HTTP edge', () => {
  it('answers 400 naming frequencyCap.max / .per, queueing nothing', async () => {
    const before = await scanKeys(pipeline.redis, pipeline.prefix);
    const campaign = await post('/v1/campaigns', { id: 'fc-bad', notification: NOTE, recipients: ['u1'], frequencyCap: { max: 0, per: '24h' } });
    expect(campaign.status).toBe(400);
    expect(campaign.body.issues?.map((i) => i.field)).toEqual(['frequencyCap.max']);
    const send = await post('/v1/notifications', { notification: { ...NOTE, openIds: ['u1'] }, options: { frequencyCap: { max: 2, per: '30s' } } });
    expect(send.status).toBe(400);
    expect(send.body.issues?.map((i) => i.field)).toEqual(['options.frequencyCap.per']);
    const noDefault = await post('/v1/notifications', { notification: { ...NOTE, openIds: ['u1'] }, options: { frequencyCap: true } });
    expect(noDefault.status).toBe(400);
    expect(noDefault.body.issues?.map((i) => i.field)).toEqual(['options.frequencyCap']);
    expect(await scanKeys(pipeline.redis, pipeline.prefix)).toEqual(before);
  });

  it('accepts a cap and shows it in the status, and documents the field in the OpenAPI', async () => {
    const created = await post('/v1/campaigns', { id: 'fc-ok', notification: NOTE, recipients: ['u1', 'u2'], frequencyCap: { max: 2, per: '7d' } });
    expect(created.status).toBe(202);
    const status = (await (await fetch(`${api.url}/v1/campaigns/fc-ok`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ frequencyCap: '2/7d', capped: 0, pending: 2 });
    const openapi = JSON.stringify(await (await fetch(`${api.url}/openapi.json`)).json());
    expect(openapi).toContain('frequencyCap');
  });
});

describe('frequency caps at the CLI edge', () => {
  it('exits 2 naming --frequency-cap for a bad cap, on campaign create and send', async () => {
    const create = await runCli(['campaign', 'create', '--recipients', join(dir, 'people.txt'), '-f', join(dir, 'note.json'), '--frequency-cap', '0/24h'], env(), SLOW);
    expect(create.code).toBe(2);
    expect(create.stderr).toContain('--frequency-cap');
    expect(create.stderr).toContain('max must be a whole number from 1 to 1000');
    const send = await runCli(['send', '-f', join(dir, 'one.json'), '--frequency-cap', 'twice'], env(), SLOW);
    expect(send.code).toBe(2);
    expect(send.stderr).toContain('--frequency-cap');
    const bare = await runCli(['send', '-f', join(dir, 'one.json'), '--frequency-cap'], env(), SLOW);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('frequencyCap: is true, but no NEUPUSH_FREQUENCY_CAP default is set');
    const badEnv = await runCli(['send', '-f', join(dir, 'one.json')], env({ NEUPUSH_FREQUENCY_CAP: '2/40d' }), SLOW);
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('NEUPUSH_FREQUENCY_CAP must be off or N/duration');
  }, 200_000);

  it('queues a capped campaign and shows the cap in its status', async () => {
    const create = await runCli(
      ['campaign', 'create', '--id', 'fc-cli', '--recipients', join(dir, 'people.txt'), '-f', join(dir, 'note.json'), '--frequency-cap', '3/24h', '--json'],
      env(),
      SLOW,
    );
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    const status = await runCli(['campaign', 'status', 'fc-cli', '--json'], env(), SLOW);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: 'fc-cli', recipients: 2, capped: 0, frequencyCap: '3/24h' });
  }, 120_000);
});
