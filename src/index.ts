// The public API of neupush: exactly what this file names.
export { Producer, type ProducerOptions } from './producer/producer.js';
export type { SendResult } from './producer/notification-send.js';
export type { SendOptions } from './producer/send-options.js';
export type { ShowActivityOptions, RemoveActivityOptions } from './producer/activity-options.js';
export type { ActivityResult } from './producer/activity-send.js';
export { ActivityCardSchema, type ActivityCard, type ActivityCardInput } from './neuxnet/activity.js';
export type { DeadLetterEntry, ListDeadLettersOptions, RedriveResult } from './shared/dead-letters.js';
export type { CreateCampaignOptions, CampaignProgress } from './producer/campaign-options.js';
export { CampaignBusyError, CAMPAIGN_BATCH_SIZE, type CampaignCreated } from './producer/campaign-create.js';
export type { CampaignPlan } from './producer/campaign-dry-run.js';
export type { QuietHours } from './producer/quiet-hours.js';
export { CAMPAIGN_STATES, type CampaignState, type CampaignStatus, type CampaignCounts } from './shared/campaign-status.js';
export { CampaignNotFoundError, type CancelResult } from './shared/campaign-cancel.js';
export type { ScheduleOptions } from './producer/schedule-options.js';
export type { ScheduleInfo } from './producer/schedules.js';
export type { RecipientInput } from './shared/recipient.js';
export { startWorker, type WorkerHandle, type WorkerOptions } from './worker/worker.js';
export type { DeliveryOutcome, ProcessorHooks, DeadLetteredDetails, SettledDetails } from './worker/processor-hooks.js';
export type { FrequencyCap, FrequencyCapInput } from './shared/frequency-cap.js';
export { EvictionPolicyError } from './worker/eviction-policy.js';
export { startDashboard, type Dashboard, type DashboardOptions } from './dashboard/server.js';
export { startApi, type Api, type ApiOptions } from './producer/http/server.js';
export { startSandbox } from './sandbox/server.js';
export type { Sandbox, SandboxOptions, FaultRule } from './sandbox/sandbox.js';
export { loadConfig, DEFAULTS, type Config } from './shared/config.js';
export { NotificationSchema, LIMITS, LANGUAGES, type Notification, type NotificationInput } from './neuxnet/notification.js';
export { sign, signingString } from './neuxnet/sign.js';
export { SendNotifyClient, type SendNotifyClientOptions, type SendNotifyResult } from './neuxnet/client.js';
export { classify, type CallResult, type Outcome } from './neuxnet/classify.js';
export {
  NeupushError,
  ValidationError,
  ConfigError,
  IdempotencyConflictError,
  RedisTimeoutError,
  ERROR_CODES,
  type ErrorCode,
  type FieldIssue,
} from './shared/errors.js';
export { DELIVERY_QUEUE, DEAD_LETTER_QUEUE, SCHEDULE_QUEUE } from './shared/queue-names.js';
export { WEBHOOK_QUEUE, WEBHOOK_DEAD_LETTER_QUEUE } from './shared/queue-names.js';
export {
  WEBHOOK_EVENT_TYPES,
  type WebhookEvent,
  type WebhookEventType,
  type WebhookEventDataByType,
  type DeliveryEventData,
  type DeadLetteredEventData,
  type CampaignEventData,
  type ActivityRemovedEventData,
} from './shared/webhook-events.js';
export { WEBHOOK_DEAD_LETTER_REASONS, type WebhookDeadLetterReason } from './shared/webhook-jobs.js';
export type { WebhookDeadLetterEntry, WebhookRedriveResult } from './shared/webhook-dead-letters.js';
export { DEAD_LETTER_REASONS, type DeadLetterReason, type DeliveryJobData, type NotificationJobData, type ActivityJobData } from './shared/job-data.js';
export { createLogger, type Logger } from './shared/logger.js';
