import type { Language } from '../neuxnet/notification.js';
import type { WebhookEventType } from './webhook-events.js';
import type { FrequencyCap } from './frequency-cap.js';

/**
 * The parsed configuration. Each field names the variable it comes from; its default is that variable's
 * entry in `DEFAULTS` (config-env.ts, written once there), or unset when DEFAULTS has none.
 */
export interface Config {
  /**
   * Redis to use, `redis://` or `rediss://` (TLS), with credentials and database in the URL. `REDIS_URL`.
   * @defaultValue `DEFAULTS.REDIS_URL`
   */
  redisUrl: string;
  /**
   * Seed nodes of a Redis Cluster; when set, neupush connects in cluster mode and takes only the
   * credentials and TLS (rediss://) from `redisUrl`. The prefix must then hold a {hash tag}. `REDIS_CLUSTER_NODES`.
   * @defaultValue unset (no cluster)
   */
  redisClusterNodes?: { host: string; port: number }[];
  /**
   * Sentinels to ask for the current master of `redisSentinelName`; when set, neupush follows failovers
   * and takes only the credentials and TLS (rediss://) from `redisUrl`. `REDIS_SENTINELS`.
   * @defaultValue unset (no Sentinels)
   */
  redisSentinels?: { host: string; port: number }[];
  /**
   * The master's name in the Sentinels' configuration. `REDIS_SENTINEL_NAME`.
   * @defaultValue `DEFAULTS.REDIS_SENTINEL_NAME`
   */
  redisSentinelName: string;
  /**
   * BullMQ key prefix; every key neupush writes starts with it. `NEUPUSH_PREFIX`.
   * @defaultValue `DEFAULTS.NEUPUSH_PREFIX`
   */
  prefix: string;
  /**
   * Base of the Neuxnet Open API, without a trailing `/`. `NEUXNET_BASE_URL`.
   * @defaultValue `DEFAULTS.NEUXNET_BASE_URL`
   */
  baseUrl: string;
  /**
   * The Mini App id; required by the worker and the sandbox. `NEUXNET_APPID`.
   * @defaultValue unset
   */
  appid?: string;
  /**
   * The app secret; only ever held in process memory, never logged, queued or stored. `NEUXNET_SECRET`.
   * @defaultValue unset
   */
  secret?: string;
  /**
   * The `language` of a notification that names none, so every request carries one (the 2024 page
   * requires it); also the language a campaign's recipients are counted under when its notification names
   * none. `NEUXNET_DEFAULT_LANGUAGE`.
   * @defaultValue `DEFAULTS.NEUXNET_DEFAULT_LANGUAGE`
   */
  defaultLanguage: Language;
  /**
   * Delivery jobs in flight per worker process. `NEUPUSH_CONCURRENCY`.
   * @defaultValue `DEFAULTS.NEUPUSH_CONCURRENCY`
   */
  concurrency: number;
  /**
   * Most openIds per sendNotify request (and per delivery job). `NEUPUSH_CHUNK_SIZE`.
   * @defaultValue `DEFAULTS.NEUPUSH_CHUNK_SIZE`
   */
  chunkSize: number;
  /**
   * Most sendNotify requests per second, across all worker processes. `NEUPUSH_RATE_LIMIT`.
   * @defaultValue `DEFAULTS.NEUPUSH_RATE_LIMIT`
   */
  rateLimit: number;
  /**
   * Attempts per delivery job, the first one included. `NEUPUSH_ATTEMPTS`.
   * @defaultValue `DEFAULTS.NEUPUSH_ATTEMPTS`
   */
  attempts: number;
  /**
   * Nominal delay before the first retry, ms; it doubles per retry, with jitter. `NEUPUSH_BACKOFF_MS`.
   * @defaultValue `DEFAULTS.NEUPUSH_BACKOFF_MS`
   */
  backoffMs: number;
  /**
   * Timeout of one HTTP call, ms; at most half of the job lock (LOCK_DURATION_MS). `NEUPUSH_TIMEOUT_MS`.
   * @defaultValue `DEFAULTS.NEUPUSH_TIMEOUT_MS`
   */
  timeoutMs: number;
  /**
   * How long after its send time a notification may still go out, ms. `NEUPUSH_MAX_LATENESS` (a duration).
   * @defaultValue `DEFAULTS.NEUPUSH_MAX_LATENESS`
   */
  maxLatenessMs: number;
  /**
   * How long a stopping worker waits for jobs in flight, ms. `NEUPUSH_SHUTDOWN_TIMEOUT_MS`.
   * @defaultValue `DEFAULTS.NEUPUSH_SHUTDOWN_TIMEOUT_MS`
   */
  shutdownTimeoutMs: number;
  /**
   * How long the record of an accepted delivery and an idempotency key are kept, ms. `NEUPUSH_DEDUP_TTL` (a duration).
   * @defaultValue `DEFAULTS.NEUPUSH_DEDUP_TTL`
   */
  dedupTtlMs: number;
  /**
   * Consecutive retryable sendNotify answers, across jobs, after which a worker pauses the queue instead
   * of spending the jobs' attempts (global backoff during an outage). 0 turns it off. `NEUPUSH_OUTAGE_THRESHOLD`.
   * @defaultValue `DEFAULTS.NEUPUSH_OUTAGE_THRESHOLD`
   */
  outageThreshold: number;
  /**
   * Longest such pause, ms; pauses double from 1 s up to it while the outage lasts. `NEUPUSH_OUTAGE_MAX_PAUSE` (a duration).
   * @defaultValue `DEFAULTS.NEUPUSH_OUTAGE_MAX_PAUSE`
   */
  outageMaxPauseMs: number;
  /**
   * The deployment's per-user frequency cap, for campaigns and schedule firings that set none (and one-off
   * sends with `frequencyCap: true`). `NEUPUSH_FREQUENCY_CAP`: `off`, or `N/duration` such as `2/24h`.
   * @defaultValue `DEFAULTS.NEUPUSH_FREQUENCY_CAP` (no cap)
   */
  frequencyCap?: FrequencyCap;
  /**
   * Port of the worker's /metrics, /healthz and /readyz; 0 turns them off. `NEUPUSH_METRICS_PORT`.
   * @defaultValue `DEFAULTS.NEUPUSH_METRICS_PORT`
   */
  metricsPort: number;
  /**
   * Interface the worker's /metrics, /healthz and /readyz listen on (NEUPUSH_METRICS_HOST).
   * @defaultValue unset: every interface (`::` and `0.0.0.0`), so Prometheus and probes reach a container
   */
  metricsHost?: string;
  /**
   * Port of the HTTP intake API. `NEUPUSH_API_PORT`.
   * @defaultValue `DEFAULTS.NEUPUSH_API_PORT`
   */
  apiPort: number;
  /**
   * Bearer token the HTTP intake API requires; it refuses to start without one. `NEUPUSH_API_TOKEN`.
   * @defaultValue unset
   */
  apiToken?: string;
  /**
   * Longest an API request may take to arrive whole, body included `NEUPUSH_API_REQUEST_TIMEOUT_MS`.
   * Generous: a large NDJSON campaign streams through it.
   * @defaultValue `DEFAULTS.NEUPUSH_API_REQUEST_TIMEOUT_MS`
   */
  apiRequestTimeoutMs: number;
  /**
   * Longest an API request's headers may take to arrive `NEUPUSH_API_HEADERS_TIMEOUT_MS`; at most the request timeout.
   * @defaultValue `DEFAULTS.NEUPUSH_API_HEADERS_TIMEOUT_MS`
   */
  apiHeadersTimeoutMs: number;
  /**
   * An API connection on which nothing arrives for this long is closed, mid-body or between keep-alive
   * requests `NEUPUSH_API_IDLE_TIMEOUT_MS`.
   * @defaultValue `DEFAULTS.NEUPUSH_API_IDLE_TIMEOUT_MS`
   */
  apiIdleTimeoutMs: number;
  /**
   * Port of the dashboard. `NEUPUSH_DASHBOARD_PORT`.
   * @defaultValue `DEFAULTS.NEUPUSH_DASHBOARD_PORT`
   */
  dashboardPort: number;
  /**
   * Dashboard basic-auth user, set together with the password. `NEUPUSH_DASHBOARD_USER`.
   * @defaultValue unset
   */
  dashboardUser?: string;
  /**
   * Dashboard basic-auth password. `NEUPUSH_DASHBOARD_PASSWORD`.
   * @defaultValue unset
   */
  dashboardPassword?: string;
  /**
   * Bull Board without retry/clean/delete buttons, and every non-GET request refused with 403. `NEUPUSH_DASHBOARD_READ_ONLY`.
   * @defaultValue `DEFAULTS.NEUPUSH_DASHBOARD_READ_ONLY`
   */
  dashboardReadOnly: boolean;
  /**
   * Start a worker even though Redis' maxmemory-policy may evict keys (queued notifications), with a
   * loud warning instead of a refusal. `NEUPUSH_ALLOW_EVICTION`.
   * @defaultValue `DEFAULTS.NEUPUSH_ALLOW_EVICTION`
   */
  allowEviction: boolean;
  /**
   * Receivers of the signed webhook events, one job per event and URL. `NEUPUSH_WEBHOOK_URL` (comma-separated http(s) URLs).
   * @defaultValue none: no events are queued
   */
  webhookUrls: readonly string[];
  /**
   * Standard Webhooks signing secret, `whsec_<base64>`; the worker refuses to start with URLs and without
   * it. Held in process memory only. `NEUPUSH_WEBHOOK_SECRET`.
   * @defaultValue unset
   */
  webhookSecret?: string;
  /**
   * Event types sent. `NEUPUSH_WEBHOOK_EVENTS` (`all` or a comma-separated list).
   * @defaultValue `DEFAULTS.NEUPUSH_WEBHOOK_EVENTS`
   */
  webhookEvents: readonly WebhookEventType[];
  /**
   * Put the openIds of each request in delivery events (otherwise only their count). `NEUPUSH_WEBHOOK_INCLUDE_OPENIDS`.
   * @defaultValue `DEFAULTS.NEUPUSH_WEBHOOK_INCLUDE_OPENIDS`
   */
  webhookIncludeOpenIds: boolean;
  /**
   * Timeout of one webhook POST, ms. `NEUPUSH_WEBHOOK_TIMEOUT_MS`.
   * @defaultValue `DEFAULTS.NEUPUSH_WEBHOOK_TIMEOUT_MS`
   */
  webhookTimeoutMs: number;
  /**
   * Attempts per webhook job, the first one included; retries back off from NEUPUSH_BACKOFF_MS, doubling
   * up to an hour. `NEUPUSH_WEBHOOK_ATTEMPTS`.
   * @defaultValue `DEFAULTS.NEUPUSH_WEBHOOK_ATTEMPTS`
   */
  webhookAttempts: number;
  /**
   * Lowest level logged. `LOG_LEVEL`.
   * @defaultValue `DEFAULTS.LOG_LEVEL`
   */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Where the API and the worker export traces (OTLP over HTTP); unset: no tracing, no SDK loaded.
   * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.
   * @defaultValue unset
   */
  otlpTracesEndpoint?: string;
  /**
   * OTLP encoding. `OTEL_EXPORTER_OTLP_PROTOCOL`.
   * @defaultValue `DEFAULTS.OTEL_EXPORTER_OTLP_PROTOCOL`
   */
  otlpProtocol: 'http/protobuf' | 'http/json';
  /**
   * `service.name` of the exported spans. `OTEL_SERVICE_NAME`.
   * @defaultValue `DEFAULTS.OTEL_SERVICE_NAME`
   */
  serviceName: string;
}
