import { randomUUID } from 'node:crypto';
import { campaignIndexKey, campaignKeys, type CampaignKeys } from '../shared/campaign-keys.js';
import { IdempotencyConflictError } from '../shared/errors.js';
import type { RecipientEntry } from '../shared/recipient.js';
import { CampaignBusyError } from './campaign-busy-error.js';
import type { CampaignContext, Lease } from './campaign-context.js';
import { languageFor } from './campaign-languages.js';
import { enqueueChunks } from './campaign-enqueue.js';
import type { CampaignProgress, CampaignSpec } from './campaign-options.js';
import { fromOrigin, planBatch, type GroupTiming, type PacingPositions, type PlannedChunk } from './campaign-plan.js';
import { CREATE_REPLY, createCommands } from './campaign-scripts.js';
import { ReadLedger } from './read-ledger.js';
import type { RecordBatch } from './record-batches.js';

/** Input records per batch: what the producer holds at once, and the unit of the resume checkpoint. */
export const CAMPAIGN_BATCH_SIZE = 10_000;

/** Where a creation stands; the run owns it and moves it only when Redis confirms a step. */
export interface CreationState {
  batchSize: number;
  chunkSize: number;
  /** Input records consumed by checkpointed batches. */
  cursor: number;
  batches: number;
  total: number;
  jobs: number;
  enqueued: boolean;
  cancelled: boolean;
  /** Digest of the first `cursor` records as checkpointed; null for records made before it was kept. */
  digest: string | null;
}

/** The same id with a different request: the first one's campaign stands. */
export function campaignConflict(id: string, what: string): IdempotencyConflictError {
  const error = new IdempotencyConflictError(id);
  error.message = `campaign ${id} already exists with ${what}; a resume or repeat must be the same request (notification, options, and recipients in the same order), or use another id`;
  return error;
}

/**
 * One run of createCampaign: the owner of everything the steps share. Per input batch, in order:
 * de-duplicate (against every record this run has read, in memory), plan chunks, add jobs, checkpoint.
 * A resumed run first re-reads the records already consumed (`replay`) to rebuild the same de-dup state,
 * and checks them against the checkpoint's digest, so a different input cannot pass for a resume.
 */
export class CampaignRun {
  readonly spec: CampaignSpec;
  readonly keys: CampaignKeys;
  readonly state: CreationState;
  readonly lease: Lease;
  readonly #ctx: CampaignContext;
  /** Every record this run has read: the de-dup set and the digest. */
  readonly #read = new ReadLedger();
  readonly #timingCache = new Map<string, GroupTiming>();
  /** A paced campaign's recipients planned per send time; replayed batches rebuild it on a resume. */
  readonly #positions: PacingPositions = new Map();
  readonly #languageOf: ReturnType<typeof languageFor>;
  #nextBatch: number;
  /** Batches replayed so far (their plans only move the pacing positions on). */
  #replayed = 0;
  /** The checkpoint of the last batch started; each waits for the one before it, so they land in order. */
  #lastCheckpoint: Promise<unknown> = Promise.resolve();
  #renewal: NodeJS.Timeout | undefined;

  private constructor(ctx: CampaignContext, spec: CampaignSpec, state: CreationState, lease: Lease) {
    this.#ctx = ctx;
    this.spec = spec;
    this.keys = campaignKeys(ctx.config.prefix, spec.id);
    this.state = state;
    this.lease = lease;
    this.#nextBatch = state.batches;
    this.#languageOf = languageFor(spec, ctx.config.defaultLanguage);
  }

  /**
   * Reserve the id atomically: create its record, or find it with the same fingerprint (else
   * IdempotencyConflictError), and take the creation lease unless the campaign is finished (another live
   * run holding it: CampaignBusyError).
   */
  static async reserve(ctx: CampaignContext, spec: CampaignSpec): Promise<CampaignRun> {
    const lease = { token: randomUUID(), ms: ctx.leaseMs };
    const keys = campaignKeys(ctx.config.prefix, spec.id);
    const [code, batchSize, chunkSize, cursor, batches, total, jobs, enqueued, cancelledAt, digest, origin] = await createCommands(ctx.redis).npCampaignReserve(
      keys.meta,
      campaignIndexKey(ctx.config.prefix),
      spec.id,
      spec.fingerprint,
      JSON.stringify({ notification: spec.notification, ...spec.summary }),
      String(CAMPAIGN_BATCH_SIZE),
      String(ctx.config.chunkSize),
      lease.token,
      String(lease.ms),
      String(spec.origin),
    );
    if (code === CREATE_REPLY.conflict) throw campaignConflict(spec.id, 'a different notification or timing');
    if (code === CREATE_REPLY.busy) throw new CampaignBusyError(spec.id);
    // Batch and chunk sizes are those of the first run: a resume with other settings would cut other chunks.
    const state: CreationState = {
      batchSize: Number(batchSize),
      chunkSize: Number(chunkSize),
      cursor: Number(cursor),
      batches: Number(batches),
      total: Number(total),
      jobs: Number(jobs),
      enqueued: enqueued === '1',
      cancelled: cancelledAt !== null,
      digest: typeof digest === 'string' ? digest : null,
    };
    const run = new CampaignRun(ctx, fromOrigin(spec, origin === null ? spec.origin : Number(origin)), state, lease);
    if (!run.finished) run.#keepLease();
    return run;
  }

  /** Fully queued or cancelled before this run: it holds no lease and queues nothing. */
  get finished(): boolean {
    return this.state.enqueued || this.state.cancelled;
  }

  /**
   * Step for a batch already consumed by an earlier run: rebuild the de-dup set and the digest and, in a
   * paced campaign, the pacing positions (by planning the batch again, as the first run did).
   */
  replay(batch: RecordBatch): void {
    const fresh = this.#read.take(batch.recipients);
    if (this.spec.timing.perMinute !== undefined) this.#plan(this.#replayed++, fresh, batch.bare);
    if (batch.firstIndex + batch.recipients.length === this.state.cursor) this.#checkReplayed();
  }

  /** The input ended; `read` records in all. */
  inputEnded(read: number): void {
    if (read < this.state.cursor) throw campaignConflict(this.spec.id, `${this.state.cursor} recipients already consumed, but this input has ${read}`);
  }

  /**
   * The steps of a new batch: de-duplicate and plan now, synchronously, in input order; then add its jobs
   * and move the checkpoint. Resolves when its checkpoint has landed (or the campaign was cancelled).
   */
  start(batch: RecordBatch, onProgress?: (progress: CampaignProgress) => void): Promise<void> {
    const no = this.#nextBatch++;
    const fresh = this.#read.take(batch.recipients);
    const digest = this.#read.digest;
    const chunks = this.#plan(no, fresh, batch.bare);
    const previous = this.#lastCheckpoint;
    const done = (async () => {
      const added = await this.#addJobs(chunks);
      if (added === undefined) return;
      await previous;
      const cursor = batch.firstIndex + batch.recipients.length;
      if (!(await this.#checkpoint(batch.firstIndex, cursor, no + 1, digest))) return;
      this.state.total += added.added;
      this.state.jobs += added.jobs;
      onProgress?.({ read: cursor, recipients: this.state.total, jobs: this.state.jobs });
    })();
    this.#lastCheckpoint = done;
    // Awaited in order by the caller; this only keeps a failure from being reported as unhandled meanwhile.
    done.catch(() => {});
    return done;
  }

  /** Mark the campaign fully queued. False when it was cancelled meanwhile. */
  async finalize(): Promise<boolean> {
    this.#stopRenewal();
    const [code] = await createCommands(this.#ctx.redis).npCampaignFinalize(
      this.keys.meta,
      this.keys.seen,
      this.keys.chunks,
      this.keys.inflight,
      this.lease.token,
      String(this.state.cursor),
      String(this.#ctx.config.dedupTtlMs),
    );
    if (code === CREATE_REPLY.cancelled) return false;
    if (code !== CREATE_REPLY.ok) throw new CampaignBusyError(this.spec.id);
    return true;
  }

  /**
   * The run stops without finishing: give the lease up. Resolves true when nothing was ever queued under
   * the id and its record is gone (a refused creation leaves nothing).
   */
  async release(): Promise<boolean> {
    this.#stopRenewal();
    const [code] = await createCommands(this.#ctx.redis).npCampaignRelease(
      this.keys.meta,
      campaignIndexKey(this.#ctx.config.prefix),
      this.keys.chunks,
      this.lease.token,
      this.spec.id,
    );
    return code === CREATE_REPLY.discarded;
  }

  /** Stop renewing the lease without giving it up, as a crashed process would (for tests of a resume). */
  abandon(): void {
    this.#stopRenewal();
  }

  #plan(batchNo: number, recipients: readonly RecipientEntry[], bare: boolean): PlannedChunk[] {
    const { spec, state } = this;
    return planBatch({
      campaignId: spec.id,
      batchNo,
      recipients,
      bare,
      timing: spec.timing,
      chunkSize: state.chunkSize,
      timingCache: this.#timingCache,
      positions: this.#positions,
      languageOf: this.#languageOf,
    });
  }

  async #addJobs(chunks: readonly PlannedChunk[]): Promise<{ added: number; jobs: number } | undefined> {
    const result = await enqueueChunks(this.#ctx, this.spec, chunks, this.lease);
    if (result === 'busy') throw new CampaignBusyError(this.spec.id);
    if (result === 'cancelled') {
      this.state.cancelled = true;
      return undefined;
    }
    return result;
  }

  async #checkpoint(expectedCursor: number, cursor: number, batches: number, digest: string): Promise<boolean> {
    const [code] = await createCommands(this.#ctx.redis).npCampaignCheckpoint(
      this.keys.meta,
      this.lease.token,
      String(this.lease.ms),
      String(expectedCursor),
      String(cursor),
      String(batches),
      digest,
    );
    if (code === CREATE_REPLY.cancelled) {
      this.state.cancelled = true;
      return false;
    }
    if (code !== CREATE_REPLY.ok) throw new CampaignBusyError(this.spec.id);
    this.state.cursor = cursor;
    this.state.batches = batches;
    this.state.digest = digest;
    return true;
  }

  #checkReplayed(): void {
    // A checkpoint written before this digest's encoding cannot be compared (as one written before digests
    // were kept): its resume is trusted as the README promised then.
    const checked = this.state.digest !== null && ReadLedger.comparable(this.state.digest);
    if (checked && this.state.digest !== this.#read.digest) {
      throw campaignConflict(this.spec.id, `other recipients among the first ${this.state.cursor} already consumed`);
    }
  }

  #keepLease(): void {
    const renew = () => {
      createCommands(this.#ctx.redis)
        .npCampaignRenew(this.keys.meta, this.lease.token, String(this.lease.ms))
        .catch(() => {});
    };
    this.#renewal = setInterval(renew, Math.max(10, Math.floor(this.lease.ms / 3)));
    this.#renewal.unref();
  }

  #stopRenewal(): void {
    clearInterval(this.#renewal);
    this.#renewal = undefined;
  }
}
