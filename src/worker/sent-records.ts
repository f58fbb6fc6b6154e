import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../shared/redis.js';
import { keyOf } from '../shared/queue-names.js';
import { withScripts } from '../shared/redis-scripts.js';
import { inTurn } from './turn-pipeline.js';
import type { ChainableCommander } from 'ioredis';

/**
 * Duplicate suppression: one key per delivery (one chunk of one notification), keyed by its deliveryKey,
 * which a redrive keeps.
 *
 * - Before the call the worker claims the key (`claim:<token>`, expiring after `claimMs`): a second run of
 *   the same delivery while the first is still in its call (a worker whose lock lapsed while it was alive)
 *   finds the claim and waits instead of sending.
 * - As soon as the platform accepts, the key is overwritten with the send time and a long TTL
 *   (NEUPUSH_DEDUP_TTL): every later run, redrive or repeat finds it and does not call sendNotify again.
 * - When the call did not deliver, the claim is released, so the retry can claim again. A claim left by a
 *   worker that crashed simply expires; it never blocks a delivery for longer than `claimMs`.
 *
 * What stays open is the window between the platform's answer and the overwrite (a crash there, or an
 * answer lost to a timeout after the platform had accepted): the delivery is then sent again.
 */
export function sentKey(prefix: string, deliveryKey: string): string {
  return keyOf(prefix, 'sent', deliveryKey);
}

const CLAIM = 'claim:';

export type ClaimResult =
  /** Ours: go ahead and call; then `recordSent` or `releaseClaim`. */
  | { state: 'claimed'; token: string }
  /** Already accepted by the platform: do not send. */
  | { state: 'sent' }
  /** Another run holds it; try again after `retryInMs`. */
  | { state: 'held'; retryInMs: number };

// One round trip for check-and-claim. SET NX GET would do it too, but only from Redis 7.0 on.
const CLAIM_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v then return {v, redis.call('PTTL', KEYS[1])} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface ClaimCommands {
  npClaimDelivery(key: string, token: string, claimMs: number): Promise<[string, number] | null>;
  npReleaseClaim(key: string, token: string): Promise<number>;
}

const SCRIPTS = {
  npClaimDelivery: { numberOfKeys: 1, lua: CLAIM_SCRIPT },
  npReleaseClaim: { numberOfKeys: 1, lua: RELEASE_SCRIPT },
};

/**
 * The connection's pipelines with our scripts on them: ioredis gives a pipeline the commands defined on its
 * connection when it is made, so they are defined on the connection first.
 */
function pipelined(redis: RedisConnection): (p: ChainableCommander) => ClaimCommands {
  withScripts<ClaimCommands>(redis, SCRIPTS);
  return (p) => p as unknown as ClaimCommands;
}

// These three run on every delivery: plain functions returning the pipeline's promise, not async ones,
// which would add a promise and a suspension each.
export function claimDelivery(redis: RedisConnection, prefix: string, deliveryKey: string, claimMs: number): Promise<ClaimResult> {
  const token = `${CLAIM}${randomUUID()}`;
  const key = sentKey(prefix, deliveryKey);
  const on = pipelined(redis);
  return inTurn<[string, number] | null>(redis, (p) => void on(p).npClaimDelivery(key, token, claimMs)).then((found): ClaimResult => {
    if (found === null) return { state: 'claimed', token };
    const [value, pttl] = found;
    if (!value.startsWith(CLAIM)) return { state: 'sent' };
    return { state: 'held', retryInMs: Math.max(pttl, 0) };
  });
}

/** Give up a claim after a call that did not deliver; a no-op when it is no longer ours. */
export function releaseClaim(redis: RedisConnection, prefix: string, deliveryKey: string, token: string): Promise<void> {
  const key = sentKey(prefix, deliveryKey);
  const on = pipelined(redis);
  return inTurn<void>(redis, (p) => void on(p).npReleaseClaim(key, token));
}

/** Resolves once Redis has stored the record (its reply is of no use). */
export function recordSent(redis: RedisConnection, prefix: string, deliveryKey: string, ttlMs: number): Promise<void> {
  const key = sentKey(prefix, deliveryKey);
  const at = String(Date.now());
  return inTurn<void>(redis, (p) => void p.set(key, at, 'PX', ttlMs));
}
