import { createHash } from 'node:crypto';
import { keyOf } from '../shared/queue-names.js';
import type { RedisConnection } from '../shared/redis.js';

/**
 * What an idempotency key holds in Redis, written before any job is added. `done` is set once every job is
 * queued; a record without it is a send that is under way, or that crashed midway, and a repeat of the
 * same request completes it (the job ids are deterministic, so re-adding a job already queued is a no-op).
 */
export interface IdempotencyRecord {
  v: 1;
  /** Digest of the validated notification and the options that shape delivery. */
  fp: string;
  id: string;
  jobs: number;
  /** The first request's timing, so a completion queues exactly the jobs it would have. */
  sendAt: number;
  deadline: number;
  now: number;
  done?: 1;
}

/** Records written before fingerprints existed held only the result. */
type StoredRecord = IdempotencyRecord | { id: string; jobs: number; fp?: undefined; done?: undefined };

/** Hashed: the caller's key may be long or hold personal data, and a colon in it must not shape the key. */
export function idempotencyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 40);
}

export function idempotencyRecordKey(prefix: string, digest: string): string {
  return keyOf(prefix, 'idem', digest);
}

/** The request as far as delivery goes: a different one under the same key is a conflict. */
/** `request`: the validated notification (or activity card and its options). */
export function requestFingerprint(notification: unknown, given: Record<string, number>): string {
  return createHash('sha256').update(JSON.stringify([notification, given])).digest('hex').slice(0, 32);
}

/**
 * Reserve `key` for `record` atomically (SET NX). Resolves undefined when this call holds it, else with
 * the record that was there first.
 */
export async function reserveIdempotencyKey(
  redis: RedisConnection,
  key: string,
  record: IdempotencyRecord,
  ttlMs: number,
): Promise<StoredRecord | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await redis.set(key, JSON.stringify(record), 'PX', ttlMs, 'NX')) === 'OK') return undefined;
    const existing = await redis.get(key);
    // It expired between the two calls: try to reserve it again.
    if (existing !== null) return JSON.parse(existing) as StoredRecord;
  }
  throw new Error('could not reserve the idempotency key: it keeps expiring');
}

/** Every job is queued: later repeats answer from the record alone. The TTL counts from the reservation. */
export async function markIdempotencyDone(redis: RedisConnection, key: string, record: IdempotencyRecord): Promise<void> {
  await redis.set(key, JSON.stringify({ ...record, done: 1 }), 'KEEPTTL', 'XX');
}
