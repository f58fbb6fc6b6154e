import type { Redis } from 'ioredis';

/** Every key under the prefix with whether it has a TTL and, for hashes, its fields: what a refused call must not change. */
export async function keySnapshot(r: Redis, p: string): Promise<Record<string, unknown>> {
  const keys = (await r.keys(`${p}:*`)).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await r.type(key);
    out[key] = { ttl: (await r.pttl(key)) > 0 ? 'set' : 'none', ...(type === 'hash' && { fields: Object.keys(await r.hgetall(key)).sort() }) };
  }
  return out;
}

/** Every key under the prefix, sorted, by SCAN (never KEYS on a shared Redis): what a dry run must leave as it was. */
export async function scanKeys(r: Redis, p: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await r.scan(cursor, 'MATCH', `${p}:*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}
