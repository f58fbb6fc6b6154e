import type { Config } from '../shared/config.js';
import { CAMPAIGN_LUA_PRELUDE } from '../shared/campaign-counters.js';
import { campaignIndexKey, campaignKeys, type CampaignKeys } from '../shared/campaign-keys.js';
import { NeupushError, ValidationError } from '../shared/errors.js';
import type { DeliveryJobData } from '../shared/job-data.js';
import { JOB_NAME, PRIORITY } from '../shared/queue-names.js';
import { addInBatches, deliveryJobOptions, type DeliveryQueue } from '../shared/queues.js';
import type { RedisConnection } from '../shared/redis.js';
import { toRecipient, type Recipient } from '../shared/recipient.js';
import { resolveCampaignSpec, type CampaignSpec, type CreateCampaignOptions } from './campaign-options.js';
import { planBatch, zoneOf, type PlannedChunk } from './campaign-plan.js';

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
  constructor(id: string) {
    super(`campaign ${id} is being created by another process at the same time`, 'ERR_CAMPAIGN_BUSY');
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
// counts; total grows only for chunks recorded now, so planning a batch again adds nothing twice.
// KEYS: meta, chunks. ARGV: first sendAt, last sendAt, then jobId, count pairs.
const RECORD = `
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

// The checkpoint, after the batch's jobs are in the queue. KEYS: meta, seen.
// ARGV: expected cursor, new cursor, new batch count, openIds... Returns 0 when another creator moved it.
const COMMIT = `
if redis.call('HGET', KEYS[1], 'cursor') ~= ARGV[1] then return 0 end
for i = 4, #ARGV, 500 do
  redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 499, #ARGV)))
end
redis.call('HSET', KEYS[1], 'cursor', ARGV[2], 'batches', ARGV[3])
return 1
`;

// KEYS: meta, seen, chunks, inflight. ARGV: expected cursor, ttl ms.
const FINALIZE = `${CAMPAIGN_LUA_PRELUDE}
if redis.call('HGET', KEYS[1], 'cursor') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'enqueued', '1', 'enqueuedAt', nowMs())
redis.call('UNLINK', KEYS[2])
finishIfDone(KEYS[1], KEYS[3], KEYS[4], tonumber(ARGV[2]), nowMs())
return 1
`;

interface CreateCommands {
  npCampaignInit(...args: string[]): Promise<(string | null)[]>;
  npCampaignRecord(...args: string[]): Promise<[number, number]>;
  npCampaignCommit(...args: string[]): Promise<number>;
  npCampaignFinalize(...args: string[]): Promise<number>;
}

function commands(redis: RedisConnection): CreateCommands {
  const r = redis as RedisConnection & Partial<CreateCommands>;
  if (typeof r.npCampaignInit !== 'function') {
    redis.defineCommand('npCampaignInit', { numberOfKeys: 2, lua: INIT });
    redis.defineCommand('npCampaignRecord', { numberOfKeys: 2, lua: RECORD });
    redis.defineCommand('npCampaignCommit', { numberOfKeys: 2, lua: COMMIT });
    redis.defineCommand('npCampaignFinalize', { numberOfKeys: 4, lua: FINALIZE });
  }
  return r as RedisConnection & CreateCommands;
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
 * records are set-if-absent and BullMQ keeps the first job of an id.
 */
export async function enqueueChunks(
  ctx: CampaignContext,
  spec: Pick<CampaignSpec, 'id' | 'notification'>,
  chunks: readonly PlannedChunk[],
): Promise<{ added: number; jobs: number }> {
  if (chunks.length === 0) return { added: 0, jobs: 0 };
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
  const now = Date.now();
  await addInBatches(
    ctx.deliveries,
    chunks.map((c) => {
      const data: DeliveryJobData = {
        v: 1,
        notificationId: spec.id,
        deliveryKey: c.jobId,
        notification: { ...spec.notification, openIds: c.openIds },
        sendAt: c.sendAt,
        deadline: c.deadline,
        campaignId: spec.id,
      };
      return {
        name: JOB_NAME.campaignChunk,
        data,
        opts: deliveryJobOptions(ctx.config, { jobId: c.jobId, delay: c.sendAt - now, priority: PRIORITY.campaign, timestamp: now }),
      };
    }),
    // A batch is a few hundred jobs: several smaller addBulk calls in flight keep both cores busy.
    25,
    4,
  );
  return { added, jobs };
}

function recipientError(spec: CampaignSpec, index: number, rule: string, queuedBefore: number): ValidationError {
  const resume =
    queuedBefore > 0
      ? ` (the ${queuedBefore} records before its batch are queued as campaign ${spec.id}: fix the input and create it again with the same id to resume, or cancel it)`
      : '';
  return new ValidationError('campaign recipients', [{ field: `recipients.${index}`, rule: `${rule}${resume}` }]);
}

/** Validate and de-duplicate one batch; `firstIndex` is the batch's first record number (0-based). */
function normalizeBatch(spec: CampaignSpec, records: readonly unknown[], firstIndex: number): Recipient[] {
  const unique = new Map<string, Recipient>();
  for (let i = 0; i < records.length; i++) {
    const r = toRecipient(records[i]);
    if (typeof r === 'string') throw recipientError(spec, firstIndex + i, r, firstIndex);
    if (spec.timing.kind === 'local' && zoneOf(r, spec.timing) === undefined) {
      throw recipientError(spec, firstIndex + i, `openId ${r.openId} has no timezone and no defaultTimezone is set`, firstIndex);
    }
    if (!unique.has(r.openId)) unique.set(r.openId, r);
  }
  return [...unique.values()];
}

/**
 * Stream recipients into delivery jobs, one input batch at a time, with a checkpoint in Redis after each:
 * records consumed (cursor), batches, recipients and jobs. Per batch: drop repeats (within it and against
 * the campaign's set of openIds already queued), plan chunks per send time, record them, add the jobs with
 * deterministic ids, then move the checkpoint and add the batch's openIds to the set in one script. A crash
 * anywhere repeats at most the current batch, identically, on the next create with the same id.
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

  const timingCache = new Map<string, { sendAt: number; deadline: number }>();
  // The checkpoint of one batch runs while the next is read and checked; the next batch's look-up in the
  // set of queued openIds waits for it, so a repeat across the two is still caught.
  let committing: Promise<void> | undefined;
  const flush = async (records: unknown[], firstIndex: number): Promise<boolean> => {
    const fresh = normalizeBatch(spec, records, firstIndex);
    await committing;
    const [[, cancelledAt], [, seenFlags]] = (await ctx.redis
      .pipeline()
      .hget(keys.meta, 'cancelledAt')
      .smismember(keys.seen, fresh.length > 0 ? fresh.map((r) => r.openId) : ['\u0000'])
      .exec()) as [[Error | null, string | null], [Error | null, number[]]];
    if (cancelledAt !== null) {
      checkpoint.cancelled = true;
      // The cancel deleted the set, but a checkpoint landing just after may have made it again.
      await ctx.redis.unlink(keys.seen);
      return false;
    }
    const newOnes = fresh.filter((_, i) => seenFlags[i] !== 1);
    const chunks = planBatch({
      campaignId: spec.id,
      batchNo: checkpoint.batches,
      recipients: newOnes,
      timing: spec.timing,
      chunkSize: checkpoint.chunkSize,
      timingCache,
    });
    const { added, jobs } = await enqueueChunks(ctx, spec, chunks);
    const cursor = firstIndex + records.length;
    const batches = checkpoint.batches + 1;
    checkpoint.batches = batches;
    committing = cmd
      .npCampaignCommit(keys.meta, keys.seen, String(firstIndex), String(cursor), String(batches), ...newOnes.map((r) => r.openId))
      .then((committed) => {
        if (committed !== 1) throw new CampaignBusyError(spec.id);
        checkpoint.cursor = cursor;
        checkpoint.total += added;
        checkpoint.jobs += jobs;
        options.onProgress?.({ read: cursor, recipients: checkpoint.total, jobs: checkpoint.jobs });
      });
    // Awaited by the next batch or at the end; this only keeps a failure from being reported as unhandled
    // while the next batch is being read.
    committing.catch(() => {});
    return true;
  };

  const skip = checkpoint.cursor;
  let seen = 0;
  try {
    let batch: unknown[] = [];
    for await (const record of options.recipients as AsyncIterable<unknown>) {
      if (seen++ < skip) continue;
      batch.push(record);
      if (batch.length >= checkpoint.batchSize) {
        if (!(await flush(batch, seen - batch.length))) return result(false);
        batch = [];
      }
    }
    if (batch.length > 0 && !(await flush(batch, seen - batch.length))) return result(false);
    await committing;
  } catch (error) {
    // Whatever stopped us (bad input, a broken source), let the last checkpoint land first, so a create
    // retried at once resumes from it rather than racing it.
    await committing?.catch(() => {});
    throw error;
  }

  if (seen < skip) {
    throw new ValidationError('campaign recipients', [
      {
        field: 'recipients',
        rule: `end after ${seen} records, but campaign ${spec.id} already queued ${skip}: a resume needs the same recipients in the same order`,
      },
    ]);
  }
  if (checkpoint.cursor === 0) {
    // Nothing was ever queued under this id: forget it, so the id is free for a corrected call.
    await ctx.redis.multi().unlink(keys.meta, keys.seen, keys.chunks).zrem(campaignIndexKey(ctx.config.prefix), spec.id).exec();
    throw new ValidationError('campaign recipients', [{ field: 'recipients', rule: 'must not be empty' }]);
  }
  const finalized = await cmd.npCampaignFinalize(keys.meta, keys.seen, keys.chunks, keys.inflight, String(checkpoint.cursor), String(ctx.config.dedupTtlMs));
  if (finalized !== 1) throw new CampaignBusyError(spec.id);
  return result(false);
}
