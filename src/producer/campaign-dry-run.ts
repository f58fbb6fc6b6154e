import type { Language } from '../neuxnet/notification.js';
import { campaignKeys } from '../shared/campaign-keys.js';
import { ValidationError } from '../shared/errors.js';
import { openIdOf } from '../shared/recipient.js';
import { systemClock } from '../neuxnet/clock.js';
import type { CampaignContext } from './campaign-context.js';
import { recipientError, recipientRules } from './campaign-create.js';
import { languageFor } from './campaign-languages.js';
import { resolveCampaignSpec, type CreateCampaignOptions } from './campaign-options.js';
import { fromOrigin, planBatch, type GroupTiming, type PacingPositions, type PlannedChunk } from './campaign-plan.js';
import { CAMPAIGN_BATCH_SIZE, campaignConflict } from './campaign-run.js';
import { OpenIdSet } from './openid-set.js';
import { RecipientRuleError, RecordBatches } from './record-batches.js';

/** What a campaign would send: the answer of a dry run, which writes nothing. */
export interface CampaignPlan {
  dryRun: true;
  /** The id asked for; a real create without one generates it. */
  id?: string;
  /** Input records read, duplicates included. */
  read: number;
  /** Distinct recipients, after de-duplication. */
  recipients: number;
  /** sendNotify requests (delivery jobs). */
  requests: number;
  /** Recipients and requests by the language whose content they would get. */
  byLanguage: Partial<Record<Language, { recipients: number; requests: number }>>;
  /** The earliest and latest send time (ISO), and how many distinct ones there are. */
  sendTimes: { first: string; last: string; distinct: number };
  /** Recipients whose send time quiet hours moved; present when the campaign has quiet hours. */
  heldByQuietHours?: number;
  /**
   * When the last request would be due (ISO); present when the campaign is paced (pacing spreads the
   * chunks' `sendAt`, which planBatch computes, so it is `sendTimes.last` of a paced plan).
   */
  expectedFinishAt?: string;
}

/** Adds up planned chunks: the plan is a summary of exactly what a real create would queue. */
class PlanTally {
  recipients = 0;
  requests = 0;
  held = 0;
  anyHeld = false;
  first = Infinity;
  last = -Infinity;
  readonly byLanguage: CampaignPlan['byLanguage'] = {};
  readonly #times = new Set<number>();

  add(chunks: readonly PlannedChunk[]): void {
    for (const c of chunks) {
      const n = c.openIds.length;
      this.recipients += n;
      this.requests += 1;
      if (c.language !== undefined) {
        const l = (this.byLanguage[c.language] ??= { recipients: 0, requests: 0 });
        l.recipients += n;
        l.requests += 1;
      }
      if (c.heldByQuietHours !== undefined) this.anyHeld = true;
      if (c.heldByQuietHours === true) this.held += n;
      this.first = Math.min(this.first, c.sendAt);
      this.last = Math.max(this.last, c.sendAt);
      this.#times.add(c.sendAt);
    }
  }

  get distinctTimes(): number {
    return this.#times.size;
  }
}

/**
 * A dry run of createCampaign: the same checks (options, then every recipient in order, the first bad one
 * refused) and the same plan (de-duplication, grouping, chunking and send times of planBatch), with nothing
 * written to Redis. An id that exists is only read, to refuse a different request as a real create would
 * (without `redis`, that check is left out).
 */
export async function planCampaign(
  base: Pick<CampaignContext, 'config'> & Partial<Pick<CampaignContext, 'clock' | 'redis'>>,
  options: CreateCampaignOptions,
): Promise<CampaignPlan> {
  const ctx = { clock: systemClock, ...base };
  let spec = resolveCampaignSpec(options, ctx.clock.now(), ctx.config.maxLatenessMs, ctx.config.frequencyCap);
  if (options.id !== undefined && ctx.redis !== undefined) {
    const [fingerprint, origin] = await ctx.redis.hmget(campaignKeys(ctx.config.prefix, spec.id).meta, 'fingerprint', 'origin');
    if (fingerprint !== null && fingerprint !== spec.fingerprint) throw campaignConflict(spec.id, 'a different notification or timing');
    // A paced campaign that exists is planned from its first run's "now", as its resume would be.
    if (origin !== null && origin !== undefined) spec = fromOrigin(spec, Number(origin));
  }
  const input = new RecordBatches(options.recipients, { replay: 0, size: CAMPAIGN_BATCH_SIZE, normalize: recipientRules(spec) });
  const seen = new OpenIdSet();
  const timingCache = new Map<string, GroupTiming>();
  const positions: PacingPositions = new Map();
  const languageOf = languageFor(spec, ctx.config.defaultLanguage);
  const tally = new PlanTally();
  let batchNo = 0;
  try {
    for await (const batch of input) {
      const fresh = batch.recipients.filter((r) => seen.add(openIdOf(r)));
      tally.add(planBatch({ campaignId: spec.id, batchNo: batchNo++, recipients: fresh, bare: batch.bare, timing: spec.timing, chunkSize: ctx.config.chunkSize, timingCache, positions, languageOf }));
    }
  } catch (error) {
    throw error instanceof RecipientRuleError ? recipientError(spec, error, 0) : error;
  }
  if (input.read === 0) throw new ValidationError('campaign recipients', [{ field: 'recipients', rule: 'must not be empty' }]);
  return {
    dryRun: true,
    ...(options.id !== undefined && { id: spec.id }),
    read: input.read,
    recipients: tally.recipients,
    requests: tally.requests,
    byLanguage: tally.byLanguage,
    sendTimes: { first: new Date(tally.first).toISOString(), last: new Date(tally.last).toISOString(), distinct: tally.distinctTimes },
    ...(tally.anyHeld && { heldByQuietHours: tally.held }),
    ...(spec.timing.perMinute !== undefined && { expectedFinishAt: new Date(tally.last).toISOString() }),
  };
}
