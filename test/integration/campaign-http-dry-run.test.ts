import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import { startApi, type Api } from '../../src/producer/http/server.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { waitUntil } from '../helpers/isolation.js';

const TOKEN = 'tok-5d2e8a1f3b7c4a6f9e0c1b3d5f7a9c2e';
const NOTE = {
  title: 'Sale',
  text: 'Half price',
  navigateType: 1,
  language: 'en_US',
  translations: { zh_CN: { title: '特卖', text: '半价' } },
};

let pipeline: Pipeline;
let api: Api;

beforeAll(async () => {
  pipeline = await startPipeline({ worker: false, config: { metricsPort: 0 }, logLevel: 'warn' });
  const { secret: _secret, ...producerConfig } = pipeline.config;
  api = await startApi({ env: {}, config: { ...producerConfig, apiToken: TOKEN }, port: 0, host: '127.0.0.1', logger: createLogger({ level: 'fatal' }) });
});

afterAll(async () => {
  await api?.close();
  await pipeline?.close();
});

async function post(path: string, body: string, contentType: string) {
  const res = await fetch(`${api.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function scanKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await pipeline.redis.scan(cursor, 'MATCH', `${pipeline.prefix}:*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

describe('POST /v1/campaigns?dryRun=true', () => {
  it('answers 200 with the plan, for JSON and NDJSON, and writes no key', async () => {
    // The queues opened by the producer and the API write their meta keys in the background, once.
    await waitUntil(async () => (await scanKeys()).length >= 2, { message: 'the queues to write their meta keys' });
    const before = await scanKeys();
    const recipients = [{ openId: 'a', language: 'zh_CN' }, 'b', { openId: 'c', language: 'ar_SA' }, 'b'];
    const json = await post('/v1/campaigns?dryRun=true', JSON.stringify({ id: 'dry-http', notification: NOTE, recipients }), 'application/json');
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      dryRun: true,
      id: 'dry-http',
      read: 4,
      recipients: 3,
      requests: 2,
      byLanguage: { zh_CN: { recipients: 1, requests: 1 }, en_US: { recipients: 2, requests: 1 } },
      sendTimes: { distinct: 1 },
    });
    const lines = [JSON.stringify({ notification: NOTE }), ...recipients.map((r) => JSON.stringify(r))].join('\n');
    const ndjson = await post('/v1/campaigns?dryRun=true', `${lines}\n`, 'application/x-ndjson');
    expect(ndjson.status).toBe(200);
    expect(ndjson.body).toMatchObject({ dryRun: true, recipients: 3, requests: 2 });
    expect(await scanKeys()).toEqual(before);
  });

  it('answers 400 naming the first bad record, and an unknown query parameter, writing nothing', async () => {
    const before = await scanKeys();
    const bad = await post('/v1/campaigns?dryRun=true', JSON.stringify({ notification: NOTE, recipients: ['a', { openId: 'b', language: 'xx' }] }), 'application/json');
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ field: 'recipients.1', rule: 'language must be one of en_US, ar_SA, zh_CN' }]);
    const typo = await post('/v1/campaigns?dry_run=true', JSON.stringify({ notification: NOTE, recipients: ['a'] }), 'application/json');
    expect(typo.status).toBe(400);
    expect(await scanKeys()).toEqual(before);
  });
});
