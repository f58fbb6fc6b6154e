import { loadConfig, type Config } from '../shared/config.js';
import { systemClock, type Clock } from '../neuxnet/clock.js';
import type { NotificationInput } from '../neuxnet/notification.js';
import {
  openDeadLetterQueue,
  openDeliveryQueue,
  openScheduleQueue,
  openWebhookDeadLetterQueue,
  openWebhookQueue,
  type DeadLetterQueue,
  type DeliveryQueue,
  type ScheduleQueue,
  type WebhookQueue,
} from '../shared/queues.js';
import type { Logger } from '../shared/logger.js';
import { closeRedis, connectRedis, waitForRedis, type RedisConnection } from '../shared/redis.js';
import { NOOP_SPAN, tracingOn, withSpan } from '../shared/spans.js';
import {
  listWebhookDeadLetters,
  redriveWebhookDeadLetters,
  type WebhookDeadLetterEntry,
  type WebhookRedriveResult,
} from '../shared/webhook-dead-letters.js';
import { sendNotification, type SendContext, type SendResult } from './notification-send.js';
import type { SendOptions } from './send-options.js';
import {
  listDeadLetters,
  purgeDeadLetters,
  redriveDeadLetters,
  type DeadLetterEntry,
  type ListDeadLettersOptions,
  type RedriveResult,
} from '../shared/dead-letters.js';
import { createCampaign, type CampaignCreated } from './campaign-create.js';
import { planCampaign, type CampaignPlan } from './campaign-dry-run.js';
import type { CreateCampaignOptions } from './campaign-options.js';
import { getCampaign, listCampaigns, type CampaignStatus } from '../shared/campaign-status.js';
import { campaignProgress } from '../shared/campaign-progress.js';
import { cancelCampaign, type CancelResult } from '../shared/campaign-cancel.js';
import type { ScheduleOptions } from './schedule-options.js';
import { listSchedules, removeSchedule, upsertSchedule, type ScheduleInfo } from './schedules.js';
import { removeActivity, showActivity, type ActivityResult } from './activity-send.js';
import type { RemoveActivityOptions, ShowActivityOptions } from './activity-options.js';
import type { ActivityCardInput } from '../neuxnet/activity.js';

export interface ProducerOptions {
  /**
   * Overrides of the environment configuration (loadConfig()).
   * @defaultValue none: every setting from `env` (see Config for each default)
   */
  config?: Partial<Config>;
  /**
   * Environment to read.
   * @defaultValue `process.env`
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Where the connection's errors (Redis down, reconnecting, refused credentials) are logged as warnings.
   * @defaultValue none: they are not logged, and surface as rejected calls
   */
  logger?: Logger;
  /**
   * Where "now" comes from for send times, deadlines and schedules (tests pass a fake one).
   * @defaultValue the system clock
   */
  clock?: Clock;
}

/**
 * What application code holds: queues notifications and manages the dead-letter queue. It never needs
 * the app secret. Create with `await Producer.create()`, and `close()` when done.
 */
export class Producer {
  readonly config: Readonly<Config>;
  readonly redis: RedisConnection;
  readonly deliveries: DeliveryQueue;
  readonly deadLetters: DeadLetterQueue;
  #closing: Promise<void> | undefined;
  #schedules: ScheduleQueue | undefined;
  #webhooks: WebhookQueue | undefined;
  readonly #clock: Clock;
  readonly #sendContext: SendContext;

  private constructor(config: Readonly<Config>, redis: RedisConnection, clock: Clock) {
    this.config = config;
    this.redis = redis;
    this.#clock = clock;
    this.deliveries = openDeliveryQueue(config, redis);
    this.deadLetters = openDeadLetterQueue(config, redis);
    this.#sendContext = { config, redis, deliveries: this.deliveries, clock };
    // An unhandled 'error' event would crash the host application; connection errors surface on calls.
    this.deliveries.on('error', () => {});
    this.deadLetters.on('error', () => {});
  }

  static async create(options: ProducerOptions = {}): Promise<Producer> {
    const config = loadConfig(options.env ?? process.env, options.config ?? {});
    const redis = connectRedis(config, 'producer', options.logger && { logger: options.logger });
    redis.on('error', () => {});
    try {
      await waitForRedis(redis);
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return new Producer(config, redis, options.clock ?? systemClock);
  }

  /**
   * Queue one notification: validated here, before anything is queued; an openIds audience larger than
   * NEUPUSH_CHUNK_SIZE becomes several delivery jobs with deterministic ids `${id}.${chunk}`. With an
   * idempotency key, the key is reserved with the request's fingerprint before any job is added: the same
   * request again answers `duplicate: true`, a different one throws IdempotencyConflictError.
   */
  send(notification: NotificationInput, options: SendOptions = {}): Promise<SendResult> {
    // Without a tracing SDK the span would be a no-op: skip its wrapper and attributes on every call.
    if (!tracingOn()) return sendNotification(this.#sendContext, notification, options, NOOP_SPAN);
    return withSpan('neupush.send', {}, async (span) => {
      const result = await sendNotification(this.#sendContext, notification, options, span);
      span.setAttributes({ 'neupush.notification.id': result.id, 'neupush.jobs': result.jobs, 'neupush.duplicate': result.duplicate });
      return result;
    });
  }

  /**
   * Show (or update, with the same activityId) an activity card on the Super App home page for the card's
   * `openIds`, chunked like notifications. `validityTime` (seconds) or `until`; `removeAt` (or `until` with
   * `remove: true`) also schedules its remove, which wins over the show. Validated before anything is queued.
   */
  showActivity(card: ActivityCardInput, options: ShowActivityOptions = {}): Promise<ActivityResult> {
    return withSpan('neupush.activity.show', {}, () => showActivity(this.#activityContext(), card, options));
  }

  /** Remove the card `activityId` for `audience` (status 0), now or at `options.sendAt`. */
  removeActivity(activityId: string, audience: readonly string[], options: RemoveActivityOptions = {}): Promise<ActivityResult> {
    return withSpan('neupush.activity.remove', {}, () => removeActivity(this.#activityContext(), activityId, audience, options));
  }

  #activityContext() {
    return { config: this.config, redis: this.redis, deliveries: this.deliveries, now: this.#clock.now() };
  }

  listDeadLetters(options: ListDeadLettersOptions = {}): Promise<DeadLetterEntry[]> {
    return listDeadLetters(this.deadLetters, options);
  }

  /** Put dead letters back with fresh attempts and a fresh deadline. `'all'` or a list of dead-letter ids. */
  redriveDeadLetters(ids: readonly string[] | 'all'): Promise<RedriveResult> {
    return redriveDeadLetters(this.deadLetters, this.deliveries, this.config, ids, this.#clock.now());
  }

  /** Delete every dead letter; resolves with how many there were. */
  purgeDeadLetters(): Promise<number> {
    return purgeDeadLetters(this.deadLetters);
  }

  /**
   * Stream recipients into a campaign's delivery jobs (see CreateCampaignOptions). Resumable: the same id
   * again continues where an interrupted create stopped, given the same recipients in the same order. With
   * `dryRun: true`, checks everything the same way and resolves with the plan, writing nothing to Redis.
   */
  createCampaign(options: CreateCampaignOptions & { dryRun: true }): Promise<CampaignPlan>;
  createCampaign(options: CreateCampaignOptions & { dryRun?: false }): Promise<CampaignCreated>;
  createCampaign(options: CreateCampaignOptions): Promise<CampaignCreated | CampaignPlan>;
  createCampaign(options: CreateCampaignOptions): Promise<CampaignCreated | CampaignPlan> {
    // A dry run checks and plans exactly as a create would, and writes nothing.
    if (options.dryRun === true) return planCampaign(this.#campaignContext(), options);
    return withSpan('neupush.campaign.create', {}, async (span) => {
      const created = await createCampaign(this.#campaignContext(), options);
      span.setAttributes({
        'neupush.campaign.id': created.id,
        'neupush.recipients': created.recipients,
        'neupush.jobs': created.jobs,
        'neupush.existing': created.existing,
      });
      return created;
    });
  }

  /** State and counts of a campaign; undefined when there is none with this id. */
  async getCampaign(id: string): Promise<CampaignStatus | undefined> {
    const status = await getCampaign(this.redis, this.config.prefix, id);
    return status && { ...status, ...(await campaignProgress(this.redis, this, this.config.prefix, status)) };
  }

  /** Campaigns, newest first. */
  listCampaigns(options: { limit?: number; offset?: number } = {}): Promise<CampaignStatus[]> {
    return listCampaigns(this.redis, this.config.prefix, options);
  }

  /** Stop a campaign; when this resolves nothing more of it is sent. Safe to call twice. */
  cancelCampaign(id: string): Promise<CancelResult> {
    return cancelCampaign(this.#campaignContext(), id);
  }

  /** Create or replace the recurring schedule `id` (a BullMQ job scheduler). */
  upsertSchedule(id: string, options: ScheduleOptions, notification: NotificationInput): Promise<ScheduleInfo> {
    return upsertSchedule(this.#scheduleQueue(), id, options, notification, this.#clock.now());
  }

  listSchedules(): Promise<ScheduleInfo[]> {
    return listSchedules(this.#scheduleQueue());
  }

  /** Resolves false when there was no schedule with this id. */
  removeSchedule(id: string): Promise<boolean> {
    return removeSchedule(this.#scheduleQueue(), id);
  }

  /** Webhook events that could not be delivered (NEUPUSH_WEBHOOK_URL), oldest first. */
  async listWebhookDeadLetters(options: { limit?: number; offset?: number } = {}): Promise<WebhookDeadLetterEntry[]> {
    const queue = openWebhookDeadLetterQueue(this.config, this.redis);
    queue.on('error', () => {});
    try {
      return await listWebhookDeadLetters(queue, options);
    } finally {
      await queue.close();
    }
  }

  /** Send these webhook dead letters again, same event and webhook-id, with fresh attempts. */
  async redriveWebhookDeadLetters(ids: readonly string[] | 'all'): Promise<WebhookRedriveResult> {
    const deadLetters = openWebhookDeadLetterQueue(this.config, this.redis);
    const webhooks = openWebhookQueue(this.config, this.redis);
    for (const q of [deadLetters, webhooks]) q.on('error', () => {});
    try {
      return await redriveWebhookDeadLetters({ config: this.config, deadLetters, webhooks }, ids);
    } finally {
      await Promise.allSettled([deadLetters.close(), webhooks.close()]);
    }
  }

  #campaignContext() {
    return { config: this.config, redis: this.redis, deliveries: this.deliveries, clock: this.#clock, ...this.#webhookQueue() };
  }

  /** Only with NEUPUSH_WEBHOOK_URL: campaign.cancelled is queued by the cancel. */
  #webhookQueue(): { webhooks?: WebhookQueue } {
    if (this.config.webhookUrls.length === 0) return {};
    if (!this.#webhooks) {
      this.#webhooks = openWebhookQueue(this.config, this.redis);
      this.#webhooks.on('error', () => {});
    }
    return { webhooks: this.#webhooks };
  }

  #scheduleQueue(): ScheduleQueue {
    if (!this.#schedules) {
      this.#schedules = openScheduleQueue(this.config, this.redis);
      // As for the other queues: connection errors surface on the calls, not as a crashing 'error' event.
      this.#schedules.on('error', () => {});
    }
    return this.#schedules;
  }

  /** Close queues and the connection. Runs once; every step runs even if one fails. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([this.deliveries.close(), this.deadLetters.close(), this.#schedules?.close(), this.#webhooks?.close()]);
      await closeRedis(this.redis);
    })();
    return this.#closing;
  }
}
