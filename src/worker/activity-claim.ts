import { randomUUID } from 'node:crypto';
import type { ActivityJobData, DeliveryJobData } from '../shared/job-data.js';
import { keyOf } from '../shared/queue-names.js';
import type { RedisConnection } from '../shared/redis.js';
import { withScripts } from '../shared/redis-scripts.js';

/**
 * Remove wins over show, for one activityId, with two keys beside the card:
 *
 * - `act:<id>:removed`, the tombstone: set by a remove when it runs, holding the remove's intended send time.
 * - `act:<id>:showing`, a sorted set of the show calls in flight (member: a token, score: when its claim lapses).
 *
 * A show, atomically before its call, gives up (`superseded`) if a tombstone at or after its own send time
 * is there, else enters `showing`. A remove, atomically, sets the tombstone and then waits for every show
 * still in `showing` to leave before it calls. Why no show lands after its remove:
 *
 * - a show that entered before the tombstone was set is waited for: the remove calls only after that show's
 *   call has answered (or its claim lapsed, which is the call timeout: that call is over on our side);
 * - a show that tries to enter after the tombstone was set sees it, in the same script, and is dropped;
 *   a show retrying later meets the tombstone the same way. The check after the call is therefore not
 *   needed: nothing can set the tombstone and call in between, since the remove itself waits.
 *
 * A show queued with `removeAt` also drops itself once that instant has passed, whether or not its remove
 * has run yet (the remove may wait behind it in the queue). Comparing intended send times lets the same
 * activityId be shown again after a remove: a show meant for later than the remove is no show it supersedes.
 */
export function activityKeys(prefix: string, activityId: string): { removed: string; showing: string } {
  return { removed: keyOf(prefix, 'act', activityId, 'removed'), showing: keyOf(prefix, 'act', activityId, 'showing') };
}

const SHOW_SCRIPT = `
local removed = redis.call('GET', KEYS[1])
if removed and tonumber(removed) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

const LEAVE_SCRIPT = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

// Keeps the latest remove's time, so an older remove run late does not forgive shows a newer one dropped.
const REMOVE_SCRIPT = `
local removed = redis.call('GET', KEYS[1])
if (not removed) or tonumber(removed) < tonumber(ARGV[1]) then removed = ARGV[1] end
redis.call('SET', KEYS[1], removed, 'PX', ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if #last == 0 then return 0 end
return tonumber(last[2]) - tonumber(ARGV[2])`;

interface ActivityCommands {
  npActivityShow(removed: string, showing: string, sendAt: number, token: string, lapsesAt: number, ttlMs: number): Promise<number>;
  npActivityLeave(showing: string, token: string): Promise<number>;
  npActivityRemove(removed: string, showing: string, sendAt: number, now: number, ttlMs: number): Promise<number>;
}

const SCRIPTS = {
  npActivityShow: { numberOfKeys: 2, lua: SHOW_SCRIPT },
  npActivityLeave: { numberOfKeys: 1, lua: LEAVE_SCRIPT },
  npActivityRemove: { numberOfKeys: 2, lua: REMOVE_SCRIPT },
};

export type GateResult =
  /** Go ahead and call; `leave()` once the call has answered (a no-op for notifications and removes). */
  | { kind: 'go'; leave(): void | Promise<void> }
  /** A show whose remove was due or has run: dead-letter it `superseded`, never call. */
  | { kind: 'superseded'; why: string }
  /** A remove while shows of its card are in their call: look again in `ms`. */
  | { kind: 'wait'; ms: number };

const GO: GateResult = { kind: 'go', leave: () => {} };

export interface ActivityGate {
  /**
   * `now`: local time; `claimMs`: how long a show's call can take (its entry lapses after that). A
   * notification goes ahead at once, without a promise (the gate is on every delivery's path).
   */
  enter(data: DeliveryJobData, now: number, claimMs: number): GateResult | Promise<GateResult>;
}

/** `ttlMs`: how long a tombstone outlives its remove; longer than any show can still be pending. */
export function activityGate(redis: RedisConnection, prefix: string, ttlMs: number): ActivityGate {
  const commands = () => withScripts<ActivityCommands>(redis, SCRIPTS);

  async function enterShow(data: ActivityJobData, now: number, claimMs: number): Promise<GateResult> {
    const { activityId, removeAt } = data.activity;
    if (removeAt !== undefined && now >= removeAt) {
      return { kind: 'superseded', why: `its remove was due at ${new Date(removeAt).toISOString()}` };
    }
    const keys = activityKeys(prefix, activityId);
    const token = randomUUID();
    // A redriven show keeps the send time it was first meant for (job-data.ts `since`).
    const meantFor = data.activity.since ?? data.sendAt;
    const entered = await commands().npActivityShow(keys.removed, keys.showing, meantFor, token, now + claimMs, ttlMs);
    if (entered === 0) return { kind: 'superseded', why: 'its card was removed by a later remove' };
    return { kind: 'go', leave: async () => void (await commands().npActivityLeave(keys.showing, token)) };
  }

  async function enterRemove(data: ActivityJobData, now: number): Promise<GateResult> {
    const keys = activityKeys(prefix, data.activity.activityId);
    const waitMs = await commands().npActivityRemove(keys.removed, keys.showing, data.sendAt, now, ttlMs);
    return waitMs > 0 ? { kind: 'wait', ms: waitMs } : GO;
  }

  return {
    enter(data, now, claimMs) {
      if (data.kind !== 'activity') return GO;
      if (data.activity.status === 1) return enterShow(data, now, claimMs);
      return enterRemove(data, now);
    },
  };
}
