import { CAMPAIGN_LUA_PRELUDE } from '../shared/campaign-counters.js';
import type { RedisConnection } from '../shared/redis.js';
import { withScripts } from '../shared/redis-scripts.js';

/**
 * What the creation scripts answer, first element of every reply. One table, read by the Lua (as its
 * constants) and by campaign-run.ts.
 */
export const CREATE_REPLY = {
  ok: 1,
  /** The id exists with another fingerprint: a different request. */
  conflict: 2,
  /** Another run holds the creation lease, or moved the checkpoint under us. */
  busy: 3,
  /** The campaign was cancelled meanwhile. */
  cancelled: 4,
  /** release: nothing was ever checkpointed, and the record is gone. */
  discarded: 5,
} as const;

const PRELUDE = `${CAMPAIGN_LUA_PRELUDE}
local OK, CONFLICT, BUSY, CANCELLED, DISCARDED = ${CREATE_REPLY.ok}, ${CREATE_REPLY.conflict}, ${CREATE_REPLY.busy}, ${CREATE_REPLY.cancelled}, ${CREATE_REPLY.discarded}
-- The run holding the creation lease is the only one that may record chunks or move the checkpoint.
local function holds(meta, token)
  return redis.call('HGET', meta, 'creator') == token
end
`;

// Reserve the id for this run. KEYS: meta, index. ARGV: id, fingerprint, spec, batchSize, chunkSize,
// token, leaseMs, origin (the first run's "now", which a paced campaign's resume plans from). A finished (enqueued or cancelled) campaign is answered without taking the lease.
const RESERVE = `${PRELUDE}
local now = nowMs()
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'createdAt', now, 'fingerprint', ARGV[2], 'spec', ARGV[3],
    'batchSize', ARGV[4], 'chunkSize', ARGV[5], 'cursor', 0, 'batches', 0, 'total', 0, 'jobs', 0,
    'sent', 0, 'failed', 0, 'cancelled', 0)
  if ARGV[8] then redis.call('HSET', KEYS[1], 'origin', ARGV[8]) end
  redis.call('ZADD', KEYS[2], now, ARGV[1])
end
local m = redis.call('HMGET', KEYS[1], 'fingerprint', 'creator', 'leaseUntil', 'enqueued', 'cancelledAt')
if m[1] ~= ARGV[2] then return {CONFLICT} end
if m[4] ~= '1' and not m[5] then
  if m[2] and m[2] ~= ARGV[6] and tonumber(m[3] or 0) > now then return {BUSY} end
  redis.call('HSET', KEYS[1], 'creator', ARGV[6], 'leaseUntil', now + tonumber(ARGV[7]))
end
local r = redis.call('HMGET', KEYS[1], 'batchSize', 'chunkSize', 'cursor', 'batches', 'total', 'jobs', 'enqueued',
  'cancelledAt', 'digest', 'origin')
return {OK, r[1], r[2], r[3], r[4], r[5], r[6], r[7] or false, r[8] or false, r[9] or false, r[10] or false}
`;

// Chunks are recorded (pending) before their jobs are added, so a worker always finds the chunk it
// counts; total grows only for chunks recorded now, so planning a batch again adds nothing twice.
// KEYS: meta, chunks. ARGV: token, leaseMs, first sendAt, last sendAt, then jobId, count pairs (a count
// may name the chunk's language, `100:ar_SA`, which keeps per-language totals beside the total; a leading
// `q`, `q100`, marks a chunk that quiet hours held, counted in heldByQuietHours and not stored).
const RECORD = `${PRELUDE}
if redis.call('HEXISTS', KEYS[1], 'cancelledAt') == 1 then return {CANCELLED} end
if not holds(KEYS[1], ARGV[1]) then return {BUSY} end
local added, jobs = 0, 0
for i = 5, #ARGV, 2 do
  local v = ARGV[i + 1]
  local held = string.sub(v, 1, 1) == 'q'
  if held then v = string.sub(v, 2) end
  if redis.call('HSETNX', KEYS[2], ARGV[i], 'p' .. v) == 1 then
    local n, lang = chunkCount(v)
    added = added + n
    jobs = jobs + 1
    if lang then redis.call('HINCRBY', KEYS[1], 'total:' .. lang, n) end
    if held then redis.call('HINCRBY', KEYS[1], 'heldByQuietHours', n) end
  end
end
if jobs > 0 then
  redis.call('HINCRBY', KEYS[1], 'total', added)
  redis.call('HINCRBY', KEYS[1], 'jobs', jobs)
end
local m = redis.call('HMGET', KEYS[1], 'firstSendAt', 'lastSendAt')
if not m[1] or tonumber(ARGV[3]) < tonumber(m[1]) then redis.call('HSET', KEYS[1], 'firstSendAt', ARGV[3]) end
if not m[2] or tonumber(ARGV[4]) > tonumber(m[2]) then redis.call('HSET', KEYS[1], 'lastSendAt', ARGV[4]) end
redis.call('HSET', KEYS[1], 'leaseUntil', nowMs() + tonumber(ARGV[2]))
return {OK, added, jobs}
`;

// Move the checkpoint: records consumed, batches, and the digest of those records.
// KEYS: meta. ARGV: token, leaseMs, expected cursor, new cursor, batches, digest.
const CHECKPOINT = `${PRELUDE}
if redis.call('HEXISTS', KEYS[1], 'cancelledAt') == 1 then return {CANCELLED} end
if not holds(KEYS[1], ARGV[1]) or redis.call('HGET', KEYS[1], 'cursor') ~= ARGV[3] then return {BUSY} end
redis.call('HSET', KEYS[1], 'cursor', ARGV[4], 'batches', ARGV[5], 'digest', ARGV[6], 'leaseUntil', nowMs() + tonumber(ARGV[2]))
return {OK}
`;

// KEYS: meta, seen (left by versions that de-duplicated in Redis), chunks, inflight.
// ARGV: token, expected cursor, ttl ms.
const FINALIZE = `${PRELUDE}
if redis.call('HEXISTS', KEYS[1], 'cancelledAt') == 1 then return {CANCELLED} end
if not holds(KEYS[1], ARGV[1]) or redis.call('HGET', KEYS[1], 'cursor') ~= ARGV[2] then return {BUSY} end
redis.call('HSET', KEYS[1], 'enqueued', '1', 'enqueuedAt', nowMs())
redis.call('HDEL', KEYS[1], 'creator', 'leaseUntil')
redis.call('UNLINK', KEYS[2])
finishIfDone(KEYS[1], KEYS[3], KEYS[4], tonumber(ARGV[3]), nowMs())
return {OK}
`;

// A run that stops without finishing gives the lease up; if nothing was ever checkpointed or recorded
// under the id (a refused first batch), the record and its index entry go, so the id is free again.
// KEYS: meta, index, chunks. ARGV: token, id.
const RELEASE = `${PRELUDE}
if not holds(KEYS[1], ARGV[1]) then return {OK} end
local m = redis.call('HMGET', KEYS[1], 'cursor', 'cancelledAt')
if m[1] == '0' and not m[2] and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('UNLINK', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[2])
  return {DISCARDED}
end
redis.call('HDEL', KEYS[1], 'creator', 'leaseUntil')
return {OK}
`;

// Keeps the lease while a slow source (an upload that pauses) leaves long gaps between checkpoints.
// KEYS: meta. ARGV: token, leaseMs.
const RENEW = `${PRELUDE}
if not holds(KEYS[1], ARGV[1]) then return {BUSY} end
redis.call('HSET', KEYS[1], 'leaseUntil', nowMs() + tonumber(ARGV[2]))
return {OK}
`;

type Reply = [number, ...(string | number | null)[]];

export interface CreateCommands {
  npCampaignReserve(...args: string[]): Promise<Reply>;
  npCampaignRecord(...args: string[]): Promise<Reply>;
  npCampaignCheckpoint(...args: string[]): Promise<Reply>;
  npCampaignFinalize(...args: string[]): Promise<Reply>;
  npCampaignRelease(...args: string[]): Promise<Reply>;
  npCampaignRenew(...args: string[]): Promise<Reply>;
}

const SCRIPTS = {
  npCampaignReserve: { numberOfKeys: 2, lua: RESERVE },
  npCampaignRecord: { numberOfKeys: 2, lua: RECORD },
  npCampaignCheckpoint: { numberOfKeys: 1, lua: CHECKPOINT },
  npCampaignFinalize: { numberOfKeys: 4, lua: FINALIZE },
  npCampaignRelease: { numberOfKeys: 3, lua: RELEASE },
  npCampaignRenew: { numberOfKeys: 1, lua: RENEW },
};

export function createCommands(redis: RedisConnection): CreateCommands {
  return withScripts<CreateCommands>(redis, SCRIPTS);
}
