import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { inject } from 'vitest';
import { unlinkKeysUnder } from '../../src/shared/unlink-prefix.js';

/** Characters a test prefix may use: no colon (BullMQ's separator) and no glob characters (SCAN MATCH). */
export const TEST_PREFIX_PATTERN = /^[A-Za-z0-9_{}.-]+$/;

/** A fresh key/queue prefix per test, as BullMQ's own tests do: `test-<uuid>`. */
export function testPrefix(): string {
  return `test-${randomUUID()}`;
}

/** The Redis chosen by test/helpers/global-setup.ts for this run. */
export function redisUrl(): string {
  return inject('redisUrl');
}

/**
 * Deletes every key under `${prefix}:` (SCAN + UNLINK) and returns how many it deleted.
 * The Redis is shared with other tests and possibly other projects, so this never flushes.
 * Ignores a client's `keyPrefix` option: pass a client without one.
 */
export async function deleteKeysWithPrefix(redis: Redis | Cluster, prefix: string): Promise<number> {
  if (!TEST_PREFIX_PATTERN.test(prefix)) {
    throw new Error(`refusing to delete keys for prefix ${JSON.stringify(prefix)}: it must match ${TEST_PREFIX_PATTERN}`);
  }
  return unlinkKeysUnder(redis, prefix);
}

export interface WaitUntilOptions {
  /** Give up after this long. Default: 10_000 ms. */
  timeoutMs?: number;
  /** Pause between checks. Default: 20 ms. */
  intervalMs?: number;
  /** Says what was awaited, in the timeout error. Default: 'condition'. */
  message?: string;
}

/**
 * Polls `predicate` until it returns true, with a bound that also covers a predicate that never settles.
 * A predicate that throws counts as false; the last error becomes the timeout error's `cause`.
 */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 20, message = 'condition' }: WaitUntilOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await beforeDeadline(Promise.resolve().then(predicate), deadline)) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, deadline - Date.now()));
  }
  throw new Error(`waitUntil timed out after ${timeoutMs} ms: ${message}`, { cause: lastError });
}

async function beforeDeadline(check: Promise<boolean>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([check, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
