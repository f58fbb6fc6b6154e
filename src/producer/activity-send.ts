import { randomUUID } from 'node:crypto';
import { ActivityCardSchema, type ActivityCardInput, type ActivityContent } from '../neuxnet/activity.js';
import { openIdRule } from '../neuxnet/notification.js';
import { chunkedActivityJobs } from '../shared/activity-jobs.js';
import type { Config } from '../shared/config.js';
import { IdempotencyConflictError, ValidationError } from '../shared/errors.js';
import { assertId, IDS } from '../shared/ids.js';
import { keyOf, PRIORITY } from '../shared/queue-names.js';
import { addInBatches, type DeliveryQueue } from '../shared/queues.js';
import type { RedisConnection } from '../shared/redis.js';
import { parseOrThrow } from '../shared/zod-issues.js';
import { idempotencyDigest, idempotencyRecordKey, markIdempotencyDone, requestFingerprint, reserveIdempotencyKey, type IdempotencyRecord } from './idempotency.js';
import { resolveRemoveTiming, resolveShowTiming, type RemoveActivityOptions, type ShowActivityOptions } from './activity-options.js';

export interface ActivityContext {
  config: Readonly<Config>;
  redis: RedisConnection;
  deliveries: DeliveryQueue;
  now: number;
}

export interface ActivityResult {
  /** The card's id: the caller's, or generated. Use it again to update or remove the card. */
  activityId: string;
  /** Delivery jobs queued (shows and, with removeAt, removes): one per NEUPUSH_CHUNK_SIZE openIds each. */
  jobs: number;
  /** The id every job of this call starts with (`${id}.show.<chunk>`, `${id}.remove.<chunk>`). */
  id: string;
  /** True when the idempotency key had been used for this same request: nothing new was queued. */
  duplicate: boolean;
}

/** The card a remove sends again (the spec requires every field with status 0), kept from its last show. */
function cardKey(prefix: string, activityId: string): string {
  return keyOf(prefix, 'act', activityId, 'card');
}

/**
 * Keep the card's content for its remove until `lastsUntil` (when it has ended at the latest) plus
 * NEUPUSH_DEDUP_TTL. A show of the same id again replaces it: the latest content is what a remove repeats.
 */
export async function storeCard(ctx: Pick<ActivityContext, 'config' | 'redis' | 'now'>, activityId: string, content: ActivityContent, lastsUntil: number): Promise<void> {
  await ctx.redis.set(cardKey(ctx.config.prefix, activityId), JSON.stringify(content), 'PX', Math.max(lastsUntil - ctx.now, 0) + ctx.config.dedupTtlMs);
}

function checkAudience(openIds: unknown, field: string): string[] {
  if (!Array.isArray(openIds) || openIds.length === 0) throw new ValidationError('activity', [{ field, rule: 'must be a non-empty list of openIds' }]);
  const issues = openIds.flatMap((id: unknown, i) => {
    const rule = openIdRule(id);
    return rule === undefined ? [] : [{ field: `${field}.${i}`, rule }];
  });
  if (issues.length > 0) throw new ValidationError('activity', issues);
  return [...new Set(openIds as string[])];
}

/** A run id and, with an idempotency key, its reservation: the same key gives the same ids every time. */
async function reserve(
  ctx: ActivityContext,
  key: string | undefined,
  fingerprinted: unknown,
  record: Omit<IdempotencyRecord, 'v' | 'fp' | 'id'>,
): Promise<{ runId: string; duplicate: boolean; first?: IdempotencyRecord; done(): Promise<void> }> {
  if (key === undefined) return { runId: `act-${randomUUID()}`, duplicate: false, done: async () => {} };
  const digest = idempotencyDigest(key);
  const recordKey = idempotencyRecordKey(ctx.config.prefix, digest);
  const full: IdempotencyRecord = { v: 1, fp: requestFingerprint(fingerprinted, {}), id: `ak-${digest.slice(-32)}`, ...record };
  const first = await reserveIdempotencyKey(ctx.redis, recordKey, full, ctx.config.dedupTtlMs);
  if (first !== undefined && first.fp !== undefined && first.fp !== full.fp) throw new IdempotencyConflictError(key);
  return { runId: full.id, duplicate: first !== undefined && first.done !== undefined, done: () => markIdempotencyDone(ctx.redis, recordKey, full) };
}

/**
 * Show (or update) an activity card: one show job per chunk of its audience, all with one activityId, and
 * with `removeAt` (or `until` and `remove: true`) the remove jobs too. Validated before anything is queued.
 */
export async function showActivity(ctx: ActivityContext, cardInput: ActivityCardInput, options: ShowActivityOptions): Promise<ActivityResult> {
  const card = parseOrThrow(ActivityCardSchema, cardInput, 'activity');
  const openIds = checkAudience(card.openIds, 'openIds');
  const timing = resolveShowTiming(options, ctx.now, ctx.config.maxLatenessMs);
  if (card.activityId !== undefined) assertId(IDS.activity, card.activityId, 'activityId');
  const { activityId: _id, openIds: _audience, ...content } = card;
  const { idempotencyKey, ...shape } = timing;
  // The request as given: a defaulted sendAt (now) is no part of it, so a retry under the key is the same request.
  const { idempotencyKey: _key, ...given } = options;
  const run = await reserve(ctx, idempotencyKey, [card, given], { jobs: 0, sendAt: timing.sendAt, deadline: timing.deadline, now: ctx.now });
  // Generated ids are unique, or derived from the idempotency key (the same key names the same card).
  const activityId = card.activityId ?? (idempotencyKey === undefined ? `a-${randomUUID()}` : `a-${idempotencyDigest(idempotencyKey).slice(-32)}`);
  assertId(IDS.activity, activityId, 'activityId');
  const common = { activityId, content, openIds, priority: PRIORITY.oneOff, now: ctx.now };
  const jobs = chunkedActivityJobs(ctx.config, { ...common, runId: `${run.runId}.show`, status: 1, ...shape });
  if (timing.removeAt !== undefined) {
    const sendAt = timing.removeAt;
    jobs.push(...chunkedActivityJobs(ctx.config, { ...common, runId: `${run.runId}.remove`, status: 0, sendAt, deadline: sendAt + ctx.config.maxLatenessMs }));
  }
  if (!run.duplicate) {
    const lastsUntil = Math.max(timing.until ?? 0, timing.removeAt ?? 0, timing.sendAt + (timing.validityTime ?? 0) * 1000);
    await storeCard(ctx, activityId, content, lastsUntil);
    await addInBatches(ctx.deliveries, jobs);
    await run.done();
  }
  return { activityId, id: run.runId, jobs: jobs.length, duplicate: run.duplicate };
}

/** Remove an activity card for `audience` (status 0), now or at `sendAt`; remove wins over every earlier show. */
export async function removeActivity(ctx: ActivityContext, activityId: string, audience: readonly string[], options: RemoveActivityOptions): Promise<ActivityResult> {
  assertId(IDS.activity, activityId, 'activityId');
  const openIds = checkAudience(audience, 'audience');
  const timing = resolveRemoveTiming(options, ctx.now);
  let content: ActivityContent;
  if (timing.card !== undefined) {
    const { activityId: _id, openIds: _ids, ...rest } = parseOrThrow(ActivityCardSchema, timing.card, 'activity card');
    content = rest;
  } else {
    const stored = await ctx.redis.get(cardKey(ctx.config.prefix, activityId));
    if (stored === null) {
      throw new ValidationError('activity', [{ field: 'activityId', rule: 'names no card neupush has shown (or it has long ended): pass the card to remove it' }]);
    }
    content = JSON.parse(stored) as ActivityContent;
  }
  const deadline = timing.sendAt + ctx.config.maxLatenessMs;
  const { idempotencyKey: _key, ...given } = options;
  const run = await reserve(ctx, timing.idempotencyKey, ['remove', activityId, openIds, given], { jobs: 0, sendAt: timing.sendAt, deadline, now: ctx.now });
  const jobs = chunkedActivityJobs(ctx.config, {
    runId: `${run.runId}.remove`,
    activityId,
    content,
    openIds,
    status: 0,
    priority: PRIORITY.oneOff,
    sendAt: timing.sendAt,
    deadline,
    now: ctx.now,
  });
  if (!run.duplicate) {
    await addInBatches(ctx.deliveries, jobs);
    await run.done();
  }
  return { activityId, id: run.runId, jobs: jobs.length, duplicate: run.duplicate };
}
