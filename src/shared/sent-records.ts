import type { Redis } from 'ioredis';
import { keyOf } from './queue-names.js';

/**
 * Duplicate suppression: a record per delivery, written as soon as the platform accepts it and checked
 * before every send. A job run again after a crash, a redrive, or a repeated idempotent send then finds
 * the record and does not call sendNotify again. The only window left for a duplicate is between the
 * platform's answer and this write.
 */
export function sentKey(prefix: string, deliveryKey: string): string {
  return keyOf(prefix, 'sent', deliveryKey);
}

export async function wasSent(redis: Redis, prefix: string, deliveryKey: string): Promise<boolean> {
  return (await redis.exists(sentKey(prefix, deliveryKey))) === 1;
}

export async function recordSent(redis: Redis, prefix: string, deliveryKey: string, ttlMs: number): Promise<void> {
  await redis.set(sentKey(prefix, deliveryKey), String(Date.now()), 'PX', ttlMs);
}
