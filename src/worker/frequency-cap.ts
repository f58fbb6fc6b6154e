import { hash } from 'node:crypto';
import type { RedisConnection } from '../shared/redis.js';
import type { FrequencyCap } from '../shared/frequency-cap.js';
import { FREQUENCY_CAP_LIMITS } from '../shared/frequency-cap.js';
import { keyOf } from '../shared/queue-names.js';
import { withScripts } from '../shared/redis-scripts.js';

/**
 * Per-user frequency caps, applied at send time to one chunk at a time. Each openId has a sorted set of the
 * capped deliveries it received (member: a digest of the deliveryKey, score: the send time):
 * `<prefix>:np:fcap:<digest of the openId>`. The openId is hashed so that keys stay short and no openId
 * appears in a key name.
 *
 * One script decides the whole chunk, so two workers cannot both let the same user through: for each
 * openId it counts the entries inside the window; below `max` it records this delivery and lets it
 * through, at `max` it leaves the openId out. An openId that already holds this delivery's entry (a
 * retry, a redrive, a second run of the same job) is let through without counting it again, so a delivery
 * is never capped against itself. Entries outlive a failed call: a delivery that ends dead-lettered keeps
 * counting toward its recipients' caps until its window passes (erring toward sending less).
 *
 * Expiry: entries older than the longest window allowed (30 days) are trimmed whenever one is added, and each key
 * expires one window after its newest entry (the longest window that recorded into it), so an idle
 * user's record goes away on its own.
 */
const LONGEST_MS = FREQUENCY_CAP_LIMITS.perMaxMs;

// KEYS: one per openId. ARGV: now ms, window ms, max, member, record ('1', or '0' to only look).
// Returns one character per key: '1' let through, '0' capped.
const CAP_CHUNK = `
local now, window, max, member, record = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5] == '1'
local out = {}
for i, key in ipairs(KEYS) do
  local through = false
  if redis.call('EXISTS', key) == 0 then
    -- Most openIds of a campaign have no record yet: half the calls for them.
    through = true
    if record then
      redis.call('ZADD', key, now, member)
      redis.call('PEXPIRE', key, window)
    end
  elseif redis.call('ZSCORE', key, member) then
    through = true
  elseif redis.call('ZCOUNT', key, '(' .. (now - window), '+inf') < max then
    through = true
    if record then
      -- Trimmed where it grows: a capped openId costs two reads and no write.
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - ${LONGEST_MS})
      redis.call('ZADD', key, now, member)
      if redis.call('PTTL', key) < window then redis.call('PEXPIRE', key, window) end
    end
  end
  out[i] = through and '1' or '0'
end
return table.concat(out)
`;

interface CapCommands {
  npFrequencyCap(numberOfKeys: number, ...keysAndArgs: string[]): Promise<string>;
}

// crypto.hash: the one-shot form, half the cost of createHash per openId.
const digest = (text: string, length: number) => hash('sha1', text, 'base64url').slice(0, length);

/** The record key of one openId (a 96-bit digest: collisions would need billions of users). */
export function frequencyCapKey(prefix: string, openId: string): string {
  return keyOf(prefix, 'fcap', digest(openId, 16));
}

export interface CapDecision {
  /** The openIds to send to, in their order. */
  letThrough: string[];
  /** How many were left out. */
  capped: number;
}

/**
 * Apply `cap` to one chunk's openIds as of `now` (the worker's clock), recording the ones let through
 * under `deliveryKey`. `record: false` only looks (a run that finds the delivery already sent recounts
 * what was capped without recording anything).
 */
export async function applyFrequencyCap(
  redis: RedisConnection,
  prefix: string,
  input: { openIds: readonly string[]; deliveryKey: string; cap: FrequencyCap; now: number; record?: boolean },
): Promise<CapDecision> {
  const { openIds, cap } = input;
  if (openIds.length === 0) return { letThrough: [], capped: 0 };
  const cmd = withScripts<CapCommands>(redis, { npFrequencyCap: { lua: CAP_CHUNK } });
  const keys = openIds.map((id) => frequencyCapKey(prefix, id));
  const flags = await cmd.npFrequencyCap(
    keys.length,
    ...keys,
    String(input.now),
    String(cap.perMs),
    String(cap.max),
    digest(input.deliveryKey, 12),
    input.record === false ? '0' : '1',
  );
  const letThrough: string[] = [];
  for (let i = 0; i < openIds.length; i++) if (flags[i] === '1') letThrough.push(openIds[i] as string);
  return { letThrough, capped: openIds.length - letThrough.length };
}
