import { ValidationError } from '../shared/errors.js';
import { BrokenRule, toRecipient } from '../shared/recipient.js';
import { campaignContext, type CampaignContext } from './campaign-context.js';
import { resolveCampaignSpec, type CampaignSpec, type CreateCampaignOptions } from './campaign-options.js';
import { cancelCampaign } from '../shared/campaign-cancel.js';
import { followsZones, zoneOf } from './campaign-plan.js';
import { campaignConflict, CampaignRun } from './campaign-run.js';
import { RecipientRuleError, RecordBatches, type NormalizeRecord } from './record-batches.js';

export { CampaignBusyError } from './campaign-busy-error.js';
export { CAMPAIGN_BATCH_SIZE } from './campaign-run.js';
export { enqueueChunks } from './campaign-enqueue.js';

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

/**
 * Input batches under way at once: while one batch's jobs are added, the next one is read, checked and
 * planned, so Redis and this process both stay busy. Each holds its recipients until its checkpoint.
 */
const BATCHES_IN_FLIGHT = 2;

/** Each record as it arrives: the recipient rules, and a zone when delivery follows local time or quiet hours. */
export function recipientRules(spec: CampaignSpec): NormalizeRecord {
  if (!followsZones(spec.timing)) return toRecipient;
  return (record) => {
    const r = toRecipient(record);
    if (!(r instanceof BrokenRule) && zoneOf(r, spec.timing) === undefined) return new BrokenRule('has no timezone and no defaultTimezone is set');
    return r;
  };
}

export function recipientError(spec: CampaignSpec, error: RecipientRuleError, queuedBefore: number): ValidationError {
  const resume =
    queuedBefore > 0
      ? ` (the ${queuedBefore} records before its batch are queued as campaign ${spec.id}: fix the input and create it again with the same id to resume, or cancel it)`
      : '';
  return new ValidationError('campaign recipients', [{ field: `recipients.${error.index}`, rule: `${error.rule}${resume}` }]);
}

const result = (run: CampaignRun, existing: boolean): CampaignCreated => ({
  id: run.spec.id,
  recipients: run.state.total,
  jobs: run.state.jobs,
  read: run.state.cursor,
  existing,
  cancelled: run.state.cancelled,
});

/**
 * A finished campaign asked for again: the same request is answered with it (`existing`), a different one
 * (other recipients, or more of them than were queued) is an IdempotencyConflictError.
 */
async function repeat(run: CampaignRun, input: RecordBatches): Promise<CampaignCreated> {
  for await (const batch of input) {
    if (batch.replay) run.replay(batch);
    else if (run.state.cancelled) break;
    else throw campaignConflict(run.spec.id, `the ${run.state.cursor} recipients queued, fewer than this input has`);
  }
  run.inputEnded(input.read);
  return result(run, true);
}

/** Read the input batch by batch, at most BATCHES_IN_FLIGHT under way; stops at a cancel. */
async function queueAll(run: CampaignRun, input: RecordBatches, onProgress: CreateCampaignOptions['onProgress']): Promise<void> {
  const inFlight: Promise<void>[] = [];
  try {
    for await (const batch of input) {
      if (batch.replay) {
        run.replay(batch);
        continue;
      }
      inFlight.push(run.start(batch, onProgress));
      if (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
      if (run.state.cancelled) break;
    }
    for (const done of inFlight.splice(0)) await done;
  } catch (error) {
    // Whatever stopped us (bad input, a broken source), let the batches under way land first, so a create
    // retried at once resumes from their checkpoints rather than racing them.
    await Promise.allSettled(inFlight);
    throw error;
  }
}

/**
 * Stream recipients into delivery jobs, one input batch at a time, with a checkpoint in Redis after each
 * (see CampaignRun for the steps). A crash anywhere repeats at most the batches past the checkpoint,
 * identically, on the next create with the same id and input; a creation refused before its first
 * checkpoint leaves nothing behind.
 */
export async function createCampaign(
  base: Pick<CampaignContext, 'config' | 'redis' | 'deliveries'> & Partial<CampaignContext>,
  options: CreateCampaignOptions,
): Promise<CampaignCreated> {
  const ctx = campaignContext(base);
  const spec = resolveCampaignSpec(options, ctx.clock.now(), ctx.config.maxLatenessMs, ctx.config.frequencyCap);
  const run = await CampaignRun.reserve(ctx, spec);
  const input = new RecordBatches(options.recipients, { replay: run.state.cursor, size: run.state.batchSize, normalize: recipientRules(spec) });
  try {
    if (run.finished) return await repeat(run, input);
    await queueAll(run, input, options.onProgress);
    if (!run.state.cancelled) run.inputEnded(input.read);
  } catch (error) {
    if (run.finished) throw error;
    // What stopped the run is the error to report; a lease that cannot be given back runs out by itself.
    await run.release().catch(() => {});
    throw error instanceof RecipientRuleError ? recipientError(spec, error, run.state.cursor) : error;
  }

  // A cancel landed while batches were under way: jobs of a batch recorded just before the flag may have
  // been added after the cancel swept the queue. Sweep again now that none is in flight, so nothing of the
  // campaign stays queued when this returns.
  const stopCancelled = async () => {
    run.state.cancelled = true;
    await run.release();
    await cancelCampaign(ctx, spec.id);
    return result(run, false);
  };
  if (run.state.cancelled) return stopCancelled();
  if (run.state.cursor === 0) {
    // Nothing was ever queued under this id: forget it, so the id is free for a corrected call.
    await run.release();
    throw new ValidationError('campaign recipients', [{ field: 'recipients', rule: 'must not be empty' }]);
  }
  if (!(await run.finalize())) return stopCancelled();
  return result(run, false);
}
