import type { RedisConnection } from './redis.js';
import { withScripts } from './redis-scripts.js';
import { campaignKeys } from './campaign-keys.js';
import { latenessBucket } from './campaign-series.js';

/**
 * Campaign counters, kept exactly by the workers. Every delivery job of a campaign has an entry in the
 * campaign's chunks hash: a state letter, its recipient count and, when it names one, the language its
 * recipients are counted under (`p100`, `p100:ar_SA`; per-language counters are `total:ar_SA`, `sent:ar_SA`...). A chunk moves between states
 * only along allowed edges, and the counters change by its recipient count only when its state changes, so
 * a retried, duplicated, stalled or redriven job is counted once:
 *
 *   p (pending) -> s (sent) | f (failed: dead-lettered) | c (cancelled);   f -> s (redriven, delivered) | c
 *
 * `pending` is never stored: it is total - sent - failed - cancelled - capped. `capped` counts recipients the
 * frequency cap left out of their chunk's request, moved in the same step as the chunk's own move.
 */
export type ChunkState = 'p' | 's' | 'f' | 'c';

/** Lua shared by every campaign script (the producer's creation scripts include it too). */
export const CAMPAIGN_LUA_PRELUDE = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local COUNTER = { s = 'sent', f = 'failed', c = 'cancelled' }
-- A chunk's count, and its language when it names one ('100' or '100:ar_SA').
local function chunkCount(v)
  local n, lang = string.match(v, '^(%d+):?(.*)$')
  if lang == '' then lang = nil end
  return tonumber(n), lang
end
-- Per-language counters ('sent:ar_SA') move with the totals, in the same step.
local function count(metaKey, counter, lang, n)
  redis.call('HINCRBY', metaKey, counter, n)
  if lang then redis.call('HINCRBY', metaKey, counter .. ':' .. lang, n) end
end
-- Returns the recipients moved into 'to', and those counted capped instead (the frequency cap left them
-- out of the chunk's request): the chunk keeps only the others, so a later move (a redrive) moves those.
local function move(metaKey, chunksKey, id, from, to, capped)
  local v = redis.call('HGET', chunksKey, id)
  if not v then return 0, 0 end
  local state = string.sub(v, 1, 1)
  if state == to or not string.find(from, state, 1, true) then return 0, 0 end
  local n, lang = chunkCount(string.sub(v, 2))
  local k = math.min(tonumber(capped or 0) or 0, n)
  local rest = string.sub(v, 2)
  if k > 0 then rest = tostring(n - k) .. (lang and (':' .. lang) or '') end
  redis.call('HSET', chunksKey, id, to .. rest)
  if COUNTER[state] then count(metaKey, COUNTER[state], lang, -n) end
  count(metaKey, COUNTER[to], lang, n - k)
  if k > 0 then count(metaKey, 'capped', lang, k) end
  return n - k, k
end
local function finishIfDone(metaKey, chunksKey, inflightKey, ttl, now)
  local m = redis.call('HMGET', metaKey, 'enqueued', 'total', 'sent', 'failed', 'cancelled', 'completedAt', 'capped')
  if m[1] ~= '1' or m[6] then return end
  local done = tonumber(m[3] or 0) + tonumber(m[4] or 0) + tonumber(m[5] or 0) + tonumber(m[7] or 0)
  if done < tonumber(m[2] or 0) then return end
  redis.call('HSET', metaKey, 'completedAt', now)
  redis.call('PEXPIRE', metaKey, ttl)
  redis.call('PEXPIRE', chunksKey, ttl)
  redis.call('PEXPIRE', inflightKey, ttl)
end
`;

// KEYS: meta, chunks, inflight, series. ARGV: from-states, to-state, ttl ms, lateness bucket ('' = none),
// capped (recipients of each chunk the frequency cap left out, '0' = none), chunk ids... Sent and failed
// moves also count into the per-minute series (series-fields.ts) in the same step, so the chart never
// disagrees with the counters.
const TRANSITION = `${CAMPAIGN_LUA_PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local moved, requests, settled = 0, 0, 0
for i = 6, #ARGV do
  local n, k = move(KEYS[1], KEYS[2], ARGV[i], ARGV[1], ARGV[2], ARGV[5])
  if n > 0 then moved, requests = moved + n, requests + 1 end
  settled = settled + n + k
end
if settled > 0 then
  local now = nowMs()
  if ARGV[2] ~= 'c' then
    redis.call('HSETNX', KEYS[1], 'startedAt', now)
    local minute = tostring(math.floor(now / 60000))
    redis.call('HINCRBY', KEYS[4], minute .. ':' .. ARGV[2] .. 'r', requests)
    redis.call('HINCRBY', KEYS[4], minute .. ':' .. ARGV[2] .. 'n', moved)
    if ARGV[4] ~= '' then redis.call('HINCRBY', KEYS[4], 'L' .. ARGV[4], requests) end
  end
  finishIfDone(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[3]), now)
  if ARGV[2] ~= 'c' then
    -- Expires with the record once that has an expiry (finished, cancelled); until then a while after its last write.
    local pttl = redis.call('PTTL', KEYS[1])
    redis.call('PEXPIRE', KEYS[4], pttl > 0 and pttl or tonumber(ARGV[3]))
  end
end
return moved
`;

// The cancel check and the in-flight registration are one step, so a cancel that has set its flag and
// then sees no call in flight knows that none can start. KEYS: meta, chunks, inflight.
// ARGV: chunk id, token, hold ms (when the call has surely ended), ttl ms. Returns 1 = send, 0 = drop.
const ADMIT = `${CAMPAIGN_LUA_PRELUDE}
if redis.call('HEXISTS', KEYS[1], 'cancelledAt') == 1 then
  if move(KEYS[1], KEYS[2], ARGV[1], 'pf', 'c', 0) > 0 then finishIfDone(KEYS[1], KEYS[2], KEYS[3], tonumber(ARGV[4]), nowMs()) end
  return 0
end
local hold = tonumber(ARGV[3])
redis.call('ZADD', KEYS[3], nowMs() + hold, ARGV[2])
redis.call('PEXPIRE', KEYS[3], hold * 2)
return 1
`;

// KEYS: meta. Returns {code, cancelled count before}: 1 flag set now, 0 already cancelled,
// -1 no such campaign, -2 already finished (nothing left to stop).
const FLAG_CANCELLED = `${CAMPAIGN_LUA_PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
local m = redis.call('HMGET', KEYS[1], 'enqueued', 'total', 'sent', 'failed', 'cancelled', 'cancelledAt', 'capped')
local cancelled = tonumber(m[5] or 0)
if m[6] then return {0, cancelled} end
if m[1] == '1' and tonumber(m[3] or 0) + tonumber(m[4] or 0) + cancelled + tonumber(m[7] or 0) >= tonumber(m[2] or 0) then return {-2, cancelled} end
redis.call('HSET', KEYS[1], 'cancelledAt', nowMs())
return {1, cancelled}
`;

// KEYS: inflight. Calls whose hold time has passed ended long ago (or their worker died).
const IN_FLIGHT = `${CAMPAIGN_LUA_PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs())
return redis.call('ZCARD', KEYS[1])
`;

interface CampaignCommands {
  npCampaignTransition(meta: string, chunks: string, inflight: string, ...args: string[]): Promise<number>;
  npCampaignAdmit(meta: string, chunks: string, inflight: string, ...args: string[]): Promise<number>;
  npCampaignFlagCancelled(meta: string): Promise<[number, number]>;
  npCampaignInFlight(inflight: string): Promise<number>;
}

const SCRIPTS = {
  npCampaignTransition: { numberOfKeys: 4, lua: TRANSITION },
  npCampaignAdmit: { numberOfKeys: 3, lua: ADMIT },
  npCampaignFlagCancelled: { numberOfKeys: 1, lua: FLAG_CANCELLED },
  npCampaignInFlight: { numberOfKeys: 1, lua: IN_FLIGHT },
};

function commands(redis: RedisConnection): CampaignCommands {
  return withScripts<CampaignCommands>(redis, SCRIPTS);
}

export type FlagCancelledResult = 'flagged' | 'already-cancelled' | 'not-found' | 'finished';

/** Typed access to the campaign scripts on one connection (scripts load once per connection, by SHA). */
export class CampaignCounters {
  readonly #redis: RedisConnection;
  readonly #cmd: CampaignCommands;
  readonly #prefix: string;
  /** How long a finished campaign's record is kept (NEUPUSH_DEDUP_TTL). */
  readonly #ttlMs: number;

  constructor(redis: RedisConnection, prefix: string, finishedTtlMs: number) {
    this.#redis = redis;
    this.#cmd = commands(redis);
    this.#prefix = prefix;
    this.#ttlMs = finishedTtlMs;
  }

  /**
   * Move chunks in one of the `from` states to `to`; resolves with the number of recipients moved.
   * `latenessMs` (of the attempt that delivered them) goes into the campaign's lateness histogram.
   * `capped`: recipients of each chunk that the frequency cap left out of its request; they are counted
   * `capped` instead of `to`, in the same step, and the chunk keeps only the others.
   */
  transition(
    campaignId: string,
    chunkIds: readonly string[],
    from: string,
    to: Exclude<ChunkState, 'p'>,
    latenessMs?: number,
    capped = 0,
  ): Promise<number> {
    if (chunkIds.length === 0) return Promise.resolve(0);
    const k = campaignKeys(this.#prefix, campaignId);
    const bucket = latenessMs === undefined ? '' : String(latenessBucket(latenessMs));
    return this.#cmd.npCampaignTransition(k.meta, k.chunks, k.inflight, k.series, from, to, String(this.#ttlMs), bucket, String(capped), ...chunkIds);
  }

  /**
   * Called right before a campaign chunk is sent: false when the campaign is cancelled (the chunk is then
   * counted as cancelled); true registers the call as in flight until `release(token)` or `holdMs`.
   */
  async admit(campaignId: string, chunkId: string, token: string, holdMs: number): Promise<boolean> {
    const k = campaignKeys(this.#prefix, campaignId);
    const ok = await this.#cmd.npCampaignAdmit(k.meta, k.chunks, k.inflight, chunkId, token, String(holdMs), String(this.#ttlMs));
    return ok === 1;
  }

  async release(campaignId: string, token: string): Promise<void> {
    await this.#redis.zrem(campaignKeys(this.#prefix, campaignId).inflight, token);
  }

  /** Set the cancel flag; also reports the cancelled count before, to tell how many this cancel stopped. */
  async flagCancelled(campaignId: string): Promise<{ result: FlagCancelledResult; cancelledBefore: number }> {
    const [code, cancelledBefore] = await this.#cmd.npCampaignFlagCancelled(campaignKeys(this.#prefix, campaignId).meta);
    const result: FlagCancelledResult =
      code === 1 ? 'flagged' : code === 0 ? 'already-cancelled' : code === -1 ? 'not-found' : 'finished';
    return { result, cancelledBefore };
  }

  /** sendNotify calls of this campaign that may still be running. */
  inFlight(campaignId: string): Promise<number> {
    return this.#cmd.npCampaignInFlight(campaignKeys(this.#prefix, campaignId).inflight);
  }
}
