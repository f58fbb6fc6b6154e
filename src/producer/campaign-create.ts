import type { Config } from '../shared/config.js';
import { CAMPAIGN_LUA_PRELUDE } from '../shared/campaign-counters.js';
import { campaignIndexKey, campaignKeys, type CampaignKeys } from '../shared/campaign-keys.js';
import { NeupushError, ValidationError, type NeupushErrorOptions } from '../shared/errors.js';
import { deliveryJob } from '../shared/delivery-jobs.js';
import { JOB_NAME, PRIORITY } from '../shared/queue-names.js';
import { addInBatches, type DeliveryQueue } from '../shared/queues.js';
import type { RedisConnection } from '../shared/redis.js';
import { withScripts } from '../shared/redis-scripts.js';
import { toRecipient, type Recipient } from '../shared/recipient.js';
import { resolveCampaignSpec, type CampaignSpec, type CreateCampaignOptions } from './campaign-options.js';
import { cancelCampaign } from './campaign-cancel.js';
import { CampaignDedup } from './campaign-dedup.js';
import { planBatch, zoneOf, type PlannedChunk } from './campaign-plan.js';
import { RecordBatches } from './record-batches.js';

/** Input records per batch: what the producer holds at once, and the unit of the resume checkpoint. */
export const CAMPAIGN_BATCH_SIZE = 10_000;

export interface CampaignCreated {
  id: string;
  /** Distinct recipients queued. */
  recipients: number;
  /** Delivery jobs queued. */
  jobs: number;
  /** Input records read, duplicates included. */
  read: number;
  /** True when this call queued nothing: the id was already fully queued, or cancelled. */
  existing: boolean;
  /** True when the campaign is cancelled (a cancel during creation stops it at the next batch). */
  cancelled: boolean;
}

export interface CampaignContext {
  config: Readonly<Config>;
  redis: RedisConnection;
  deliveries: DeliveryQueue;
}

/** Another process is creating the same campaign right now; the loser stops, nothing is doubled. */
export class CampaignBusyError extends NeupushError {
  constructor(id: string, options?: NeupushErrorOptions) {
    super(`campaign ${id} is being created by another process at the same time`, 'ERR_CAMPAIGN_BUSY', options);
  }
}

// KEYS: meta, index. ARGV: id, fingerprint, spec, batchSize, chunkSize.
const INIT = `${CAMPAIGN_LUA_PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = nowMs()
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'createdAt', now, 'fingerprint', ARGV[2], 'spec', ARGV[3],
    'batchSize', ARGV[4], 'chunkSize', ARGV[5], 'cursor', 0, 'batches', 0, 'total', 0, 'jobs', 0,
    'sent', 0, 'failed', 0, 'cancelled', 0)
  redis.call('ZADD', KEYS[2], now, ARGV[1])
end
return redis.call('HMGET', KEYS[1], 'fingerprint', 'batchSize', 'chunkSize', 'cursor', 'batches', 'total', 'jobs',
  'enqueued', 'cancelledAt')
`;

// Chunks are recorded (pending) before their jobs are added, so a worker always finds the chunk it
// counts; total grows only for chunks recorded now, so planning a batch again adds nothing twice. Nothing
// is recorded once the campaign is cancelled (returns {-1, -1}).
// KEYS: meta, chunks. ARGV: first sendAt, last sendAt, then jobId, count pairs.
const RECORD = `
if redis.call('HEXISTS', KEYS[1], 'cancelledAt') == 1 then return {-1, -1} end
local added, jobs = 0, 0
for i = 3, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], 'p' .. ARGV[i + 1]) == 1 then
    added = added + tonumber(ARGV[i + 1])
    jobs = jobs + 1
  end
end
if jobs > 0 then
  redis.call('HINCRBY', KEYS[1], 'total', added)
  redis.call('HINCRBY', KEYS[1], 'jobs', jobs)
end
local m = redis.call('HMGET', KEYS[1], 'firstSendAt', 'lastSendAt')
if not m[1] or tonumber(ARGV[1]) < tonumber(m[1]) then redis.call('HSET', KEYS[1], 'firstSendAt', ARGV[1]) end
if not m[2] or tonumber(ARGV[2]) > tonumber(m[2]) then redis.call('HSET', KEYS[1], 'lastSendAt', ARGV[2]) end
return {added, jobs}
`;

// KEYS: meta, seen, chunks, inflight. ARGV: expected cursor, ttl ms.
// Returns 0 when another creator moved the cursor, 2 when the campaign was cancelled meanwhile.
const FINALIZE = `${CAMPAIGN_LUA_PRELUDE}
if redis.call('HGET', KEYS[1], 'cursor') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[1], 'cancelledAt') == 1 then return 2 end
redis.call('HSET', KEYS[1], 'enqueued', '1', 'enqueuedAt', nowMs())
redis.call('UNLINK', KEYS[2])
finishIfDone(KEYS[1], KEYS[3], KEYS[4], tonumber(ARGV[2]), nowMs())
return 1
`;

interface CreateCommands {
  npCampaignInit(...args: string[]): Promise<(string | null)[]>;
  npCampaignRecord(...args: string[]): Promise<[number, number]>;
  npCampaignFinalize(...args: string[]): Promise<number>;
}

const SCRIPTS = {
  npCampaignInit: { numberOfKeys: 2, lua: INIT },
  npCampaignRecord: { numberOfKeys: 2, lua: RECORD },
  npCampaignFinalize: { numberOfKeys: 4, lua: FINALIZE },
};

function commands(redis: RedisConnection): CreateCommands {
  return withScripts<CreateCommands>(redis, SCRIPTS);
}

interface Checkpoint {
  batchSize: number;
  chunkSize: number;
  cursor: number;
  batches: number;
  total: number;
  jobs: number;
  enqueued: boolean;
  cancelled: boolean;
}

async function initCampaign(ctx: CampaignContext, spec: CampaignSpec, keys: CampaignKeys): Promise<Checkpoint> {
  const specJson = JSON.stringify({ notification: spec.notification, ...spec.summary });
  const [fingerprint, batchSize, chunkSize, cursor, batches, total, jobs, enqueued, cancelledAt] = await commands(ctx.redis).npCampaignInit(
    keys.meta,
    campaignIndexKey(ctx.config.prefix),
    spec.id,
    spec.fingerprint,
    specJson,
    String(CAMPAIGN_BATCH_SIZE),
    String(ctx.config.chunkSize),
  );
  if (fingerprint !== spec.fingerprint) {
    throw new ValidationError('campaign options', [
      {
        field: 'id',
        rule: `campaign ${spec.id} already exists with a different notification or timing; a resume must repeat the same options (or use another id)`,
      },
    ]);
  }
  // Batch and chunk sizes are those of the first run: a resume with other settings would cut other chunks.
  return {
    batchSize: Number(batchSize),
    chunkSize: Number(chunkSize),
    cursor: Number(cursor),
    batches: Number(batches),
    total: Number(total),
    jobs: Number(jobs),
    enqueued: enqueued === '1',
    cancelled: cancelledAt !== null,
  };
}

/**
 * Record a batch's chunks and add their delivery jobs. Safe to run again for the same batch: chunk
 * records are set-if-absent and BullMQ keeps the first job of an id. Adds nothing once the campaign is
 * cancelled (`cancelled: true`).
 */
export async function enqueueChunks(
  ctx: CampaignContext,
  spec: Pick<CampaignSpec, 'id' | 'notification'>,
  chunks: readonly PlannedChunk[],
): Promise<{ added: number; jobs: number; cancelled: boolean }> {
  if (chunks.length === 0) return { added: 0, jobs: 0, cancelled: false };
  const keys = campaignKeys(ctx.config.prefix, spec.id);
  let first = Infinity;
  let last = -Infinity;
  const pairs: string[] = [];
  for (const c of chunks) {
    first = Math.min(first, c.sendAt);
    last = Math.max(last, c.sendAt);
    pairs.push(c.jobId, String(c.openIds.length));
  }
  const [added, jobs] = await commands(ctx.redis).npCampaignRecord(keys.meta, keys.chunks, String(first), String(last), ...pairs);
  if (added < 0) return { added: 0, jobs: 0, cancelled: true };
  const now = Date.now();
  await addInBatches(
    ctx.deliveries,
    chunks.map((c) =>
      deliveryJob(ctx.config, {
        jobId: c.jobId,
        notificationId: spec.id,
        campaignId: spec.id,
        notification: { ...spec.notification, openIds: c.openIds },
        name: JOB_NAME.campaignChunk,
        priority: PRIORITY.campaign,
        sendAt: c.sendAt,
        deadline: c.deadline,
        now,
      }),
    ),
    // A batch is a few hundred jobs: several smaller addBulk calls in flight keep both cores busy.
    25,
    4,
  );
  return { added, jobs, cancelled: false };
}

function recipientError(spec: CampaignSpec, index: number, rule: string, queuedBefore: number): ValidationError {
  const resume =
    queuedBefore > 0
      ? ` (the ${queuedBefore} records before its batch are queued as campaign ${spec.id}: fix the input and create it again with the same id to resume, or cancel it)`
      : '';
  return new ValidationError('campaign recipients', [{ field: `recipients.${index}`, rule: `${rule}${resume}` }]);
}

/** Validate and de-duplicate one batch, by openId; `firstIndex` is the batch's first record number (0-based). */
function normalizeBatch(spec: CampaignSpec, records: readonly unknown[], firstIndex: number): Map<string, Recipient> {
  const unique = new Map<string, Recipient>();
  for (let i = 0; i < records.length; i++) {
    const r = toRecipient(records[i]);
    if (typeof r === 'string') throw recipientError(spec, firstIndex + i, r, firstIndex);
    if (spec.timing.kind === 'local' && zoneOf(r, spec.timing) === undefined) {
      throw recipientError(spec, firstIndex + i, `openId ${r.openId} has no timezone and no defaultTimezone is set`, firstIndex);
    }
    if (!unique.has(r.openId)) unique.set(r.openId, r);
  }
  return unique;
}

/**
 * Input batches under way at once: while one batch's jobs are added, the next one is read, checked and
 * planned, so Redis and this process both stay busy. Each holds its recipients until its checkpoint.
 */
const BATCHES_IN_FLIGHT = 2;

/**
 * Stream recipients into delivery jobs, one input batch at a time, with a checkpoint in Redis after each:
 * records consumed (cursor), batches, recipients and jobs. Per batch: drop repeats (within it, and against
 * the batches before it: see campaign-dedup.ts), plan chunks per send time, record them, add the jobs with
 * deterministic ids, then move the checkpoint and add the batch's openIds to the campaign's set in one
 * MULTI. A batch is checked while the one before it is still adding its jobs; checkpoints land in batch
 * order. A crash anywhere repeats at most the batches past the checkpoint, identically, on the next create
 * with the same id.
 */
export async function createCampaign(ctx: CampaignContext, options: CreateCampaignOptions): Promise<CampaignCreated> {
  const spec = resolveCampaignSpec(options, Date.now(), ctx.config.maxLatenessMs);
  const keys = campaignKeys(ctx.config.prefix, spec.id);
  const cmd = commands(ctx.redis);
  const checkpoint = await initCampaign(ctx, spec, keys);
  const result = (existing: boolean): CampaignCreated => ({
    id: spec.id,
    recipients: checkpoint.total,
    jobs: checkpoint.jobs,
    read: checkpoint.cursor,
    existing,
    cancelled: checkpoint.cancelled,
  });
  if (checkpoint.enqueued || checkpoint.cancelled) return result(true);

  const dedup = new CampaignDedup(ctx.redis, keys, checkpoint.cursor === 0);
  const timingCache = new Map<string, { sendAt: number; deadline: number }>();
  let batchNo = checkpoint.batches;
  let lastCheckpoint: Promise<unknown> = Promise.resolve();

  const startBatch = (records: unknown[], firstIndex: number): Promise<void> => {
    const unique = normalizeBatch(spec, records, firstIndex);
    const no = batchNo++;
    const checked = dedup.check(unique);
    const previousCheckpoint = lastCheckpoint;
    const done = (async () => {
      const isNew = await checked;
      if (isNew === 'cancelled') {
        checkpoint.cancelled = true;
        return;
      }
      const recipients: Recipient[] = [];
      let i = 0;
      for (const r of unique.values()) if (isNew[i++]) recipients.push(r);
      const chunks = planBatch({ campaignId: spec.id, batchNo: no, recipients, timing: spec.timing, chunkSize: checkpoint.chunkSize, timingCache });
      const { added, jobs, cancelled } = await enqueueChunks(ctx, spec, chunks);
      if (cancelled) {
        checkpoint.cancelled = true;
        return;
      }
      await previousCheckpoint;
      const cursor = firstIndex + records.length;
      const moved = await dedup.checkpoint(unique, recipients.map((r) => r.openId), firstIndex, cursor, no + 1);
      if (moved === 'busy') throw new CampaignBusyError(spec.id);
      if (moved === 'cancelled') {
        checkpoint.cancelled = true;
        return;
      }
      checkpoint.cursor = cursor;
      checkpoint.batches = no + 1;
      checkpoint.total += added;
      checkpoint.jobs += jobs;
      options.onProgress?.({ read: cursor, recipients: checkpoint.total, jobs: checkpoint.jobs });
    })();
    lastCheckpoint = done;
    // Awaited in order by the loop; this only keeps a failure from being reported as unhandled meanwhile.
    done.catch(() => {});
    return done;
  };

  const skip = checkpoint.cursor;
  const input = new RecordBatches(options.recipients, skip, checkpoint.batchSize);
  const inFlight: Promise<void>[] = [];
  try {
    for await (const { records, firstIndex } of input) {
      inFlight.push(startBatch(records, firstIndex));
      if (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
      if (checkpoint.cancelled) break;
    }
    for (const done of inFlight.splice(0)) await done;
  } catch (error) {
    // Whatever stopped us (bad input, a broken source), let the batches under way land first, so a create
    // retried at once resumes from their checkpoints rather than racing them.
    await Promise.allSettled(inFlight);
    throw error;
  }

  // A cancel landed while batches were under way: jobs of a batch recorded just before the flag may have
  // been added after the cancel swept the queue. Sweep again now that none is in flight, so nothing of the
  // campaign stays queued when this returns.
  const stopCancelled = async () => {
    checkpoint.cancelled = true;
    await cancelCampaign(ctx, spec.id);
    return result(false);
  };
  if (checkpoint.cancelled) return stopCancelled();
  if (input.read < skip) {
    throw new ValidationError('campaign recipients', [
      {
        field: 'recipients',
        rule: `end after ${input.read} records, but campaign ${spec.id} already queued ${skip}: a resume needs the same recipients in the same order`,
      },
    ]);
  }
  if (checkpoint.cursor === 0) {
    // Nothing was ever queued under this id: forget it, so the id is free for a corrected call.
    await ctx.redis.multi().unlink(keys.meta, keys.seen, keys.chunks).zrem(campaignIndexKey(ctx.config.prefix), spec.id).exec();
    throw new ValidationError('campaign recipients', [{ field: 'recipients', rule: 'must not be empty' }]);
  }
  const finalized = await cmd.npCampaignFinalize(keys.meta, keys.seen, keys.chunks, keys.inflight, String(checkpoint.cursor), String(ctx.config.dedupTtlMs));
  if (finalized === 2) return stopCancelled();
  if (finalized !== 1) throw new CampaignBusyError(spec.id);
  return result(false);
}
