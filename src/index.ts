// The public API of neupush: exactly what this file names.
export { Producer, type ProducerOptions, type SendResult } from './producer/producer.js';
export type { SendOptions } from './producer/send-options.js';
export type { DeadLetterEntry, RedriveResult } from './producer/dead-letters.js';
export { startWorker, type WorkerHandle, type WorkerOptions } from './worker/worker.js';
export type { DeliveryOutcome, ProcessorHooks } from './worker/processor.js';
export { startSandbox, type Sandbox, type SandboxOptions, type FaultRule } from './sandbox/server.js';
export { loadConfig, DEFAULTS, type Config } from './shared/config.js';
export { NotificationSchema, LIMITS, LANGUAGES, type Notification, type NotificationInput } from './shared/notification.js';
export { sign, signingString } from './shared/sign.js';
export { SendNotifyClient, type SendNotifyClientOptions } from './shared/sendnotify-client.js';
export { classify, type CallResult, type Outcome } from './shared/classify.js';
export { NeupushError, ValidationError, ConfigError, type FieldIssue } from './shared/errors.js';
export { DELIVERY_QUEUE, DEAD_LETTER_QUEUE } from './shared/queue-names.js';
export type { DeadLetterReason, DeliveryJobData } from './shared/job-data.js';
export { createLogger, type Logger } from './shared/logger.js';
