import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { jobIdsOf, startPipeline, type Pipeline } from '../helpers/pipeline.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** Every key under the prefix with every value it holds, whatever its type, as text. */
async function dumpPrefix(redis: Redis, prefix: string): Promise<{ keys: string[]; values: string[] }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const values: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') values.push((await redis.get(key)) ?? '');
    else if (type === 'hash') values.push(...Object.entries(await redis.hgetall(key)).flat());
    else if (type === 'list') values.push(...(await redis.lrange(key, 0, -1)));
    else if (type === 'set') values.push(...(await redis.smembers(key)));
    else if (type === 'zset') values.push(...(await redis.zrange(key, 0, -1)));
    else if (type === 'stream') values.push(...(await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]));
    else throw new Error(`key ${key} has type ${type}, which this dump does not read`);
  }
  return { keys, values };
}

describe('the secret', () => {
  it('after a full run is in no Redis key or value and in no log line; no sign or phone number is logged', async () => {
    pipeline = await startPipeline({
      logLevel: 'trace',
      sandbox: {
        faults: [
          { match: { title: 'Refused' }, headerStatus: 400, msg: 'bad parameters' },
          { match: { title: 'Flaky' }, times: 1, httpStatus: 503 },
          { match: { title: 'Throttled' }, times: 1, httpStatus: 429, retryAfterSeconds: 0 },
        ],
      },
    });
    const { producer, sandbox, secret } = pipeline;
    const base = { text: 'Body', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2'] } as const;
    const sends = await Promise.all([
      producer.send({ ...base, title: 'Plain' }),
      producer.send({ ...base, title: 'Flaky' }),
      producer.send({ ...base, title: 'Throttled' }),
      producer.send({ ...base, title: 'Refused' }),
      producer.send({ ...base, title: 'Keyed' }, { idempotencyKey: 'k-1' }),
      producer.send({ ...base, title: 'Soon' }, { sendAt: new Date(Date.now() + 300) }),
      producer.send({
        title: 'By phone',
        text: 'Body',
        navigateType: 2,
        url: 'https://example.com/',
        rulesType: 2,
        countryCode: '+966',
        mobileNumber: '501234567',
      }),
    ]);
    await pipeline.waitForJobs(sends.flatMap(jobIdsOf));
    // A redrive too, so its records are in Redis as well.
    sandbox.setFaults([]);
    await producer.redriveDeadLetters('all');
    await pipeline.waitForJobs([`${jobIdsOf(sends[3]!)[0]}.r1`]);
    // And one still waiting, so a queued job is inspected too.
    await producer.send({ ...base, title: 'Later' }, { sendAt: new Date(Date.now() + 3_600_000) });
    expect(sandbox.accepted).toHaveLength(7);

    const { keys, values } = await dumpPrefix(pipeline.redis, pipeline.prefix);
    expect(keys.length).toBeGreaterThan(10);
    expect(values.join('\n')).toContain('Later');
    for (const text of [...keys, ...values]) expect(text).not.toContain(secret);
    const signs = sandbox.accepted.map((r) => r.params.sign as string);
    for (const text of values) for (const sign of signs) expect(text).not.toContain(sign);

    const logs = pipeline.logs.text();
    expect(pipeline.logs.lines().filter((l) => l.msg === 'delivered')).toHaveLength(7);
    expect(logs).not.toContain(secret);
    for (const sign of signs) expect(logs).not.toContain(sign);
    expect(logs).not.toContain('501234567');
  });
});
