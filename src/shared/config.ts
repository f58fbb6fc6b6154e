import { isIP } from 'node:net';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../neuxnet/notification.js';
import { ConfigError } from './errors.js';
import { bool, duration, hostPorts, httpUrl, int, optionalSecret } from './env-parsers.js';
import { webhookEvents, webhookSecret, webhookUrls } from './webhook-env.js';
import type { WebhookEventType } from './webhook-events.js';
import { parseCapText, type FrequencyCap } from './frequency-cap.js';

/**
 * Every environment variable neupush reads that has a default, written as it would be set. The schema
 * parses these like a set value, so each default is written here only; docs and `--help` refer to this
 * object. This is the only place that reads process.env; everything else receives a Config. The README's
 * configuration table mirrors it (test/unit/config-defaults.test.ts checks that).
 */
export const DEFAULTS = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_CLUSTER_NODES: '',
  REDIS_SENTINELS: '',
  REDIS_SENTINEL_NAME: 'mymaster',
  NEUPUSH_PREFIX: 'neupush',
  NEUXNET_BASE_URL: 'https://qa.neuxnet.com',
  NEUXNET_DEFAULT_LANGUAGE: 'en_US',
  NEUPUSH_CONCURRENCY: '50',
  NEUPUSH_CHUNK_SIZE: '100',
  NEUPUSH_RATE_LIMIT: '50',
  NEUPUSH_ATTEMPTS: '8',
  NEUPUSH_BACKOFF_MS: '1000',
  NEUPUSH_TIMEOUT_MS: '10000',
  NEUPUSH_MAX_LATENESS: '1h',
  NEUPUSH_SHUTDOWN_TIMEOUT_MS: '30000',
  NEUPUSH_DEDUP_TTL: '7d',
  NEUPUSH_OUTAGE_THRESHOLD: '20',
  NEUPUSH_OUTAGE_MAX_PAUSE: '30s',
  NEUPUSH_FREQUENCY_CAP: 'off',
  NEUPUSH_METRICS_PORT: '9464',
  NEUPUSH_API_PORT: '8080',
  NEUPUSH_API_REQUEST_TIMEOUT_MS: '300000',
  NEUPUSH_API_HEADERS_TIMEOUT_MS: '10000',
  NEUPUSH_API_IDLE_TIMEOUT_MS: '30000',
  NEUPUSH_DASHBOARD_PORT: '3000',
  NEUPUSH_DASHBOARD_READ_ONLY: 'false',
  NEUPUSH_ALLOW_EVICTION: 'false',
  NEUPUSH_WEBHOOK_EVENTS: 'all',
  NEUPUSH_WEBHOOK_INCLUDE_OPENIDS: 'false',
  NEUPUSH_WEBHOOK_TIMEOUT_MS: '5000',
  NEUPUSH_WEBHOOK_ATTEMPTS: '15',
  LOG_LEVEL: 'info',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  OTEL_SERVICE_NAME: 'neupush',
} as const;

/** BullMQ's default lock duration; an HTTP call must time out well before a job's lock would lapse. */
export const LOCK_DURATION_MS = 30_000;

const EnvSchema = z.object({
  REDIS_URL: z
    .string()
    .refine((s) => /^rediss?:\/\//.test(s), 'REDIS_URL must start with redis:// or rediss://')
    .default(DEFAULTS.REDIS_URL),
  REDIS_CLUSTER_NODES: hostPorts('REDIS_CLUSTER_NODES').optional(),
  REDIS_SENTINELS: hostPorts('REDIS_SENTINELS').optional(),
  REDIS_SENTINEL_NAME: z.string().min(1, 'REDIS_SENTINEL_NAME must not be empty').default(DEFAULTS.REDIS_SENTINEL_NAME),
  NEUPUSH_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}.-]+$/, 'NEUPUSH_PREFIX may hold letters, digits, _ . - and a {hash tag}, no colon')
    .default(DEFAULTS.NEUPUSH_PREFIX),
  NEUXNET_BASE_URL: z
    .string()
    .refine((s) => /^https?:\/\/[^/\s]+/.test(s), 'NEUXNET_BASE_URL must be an http(s) URL')
    .transform((s) => s.replace(/\/+$/, ''))
    .default(DEFAULTS.NEUXNET_BASE_URL),
  NEUXNET_APPID: optionalSecret('NEUXNET_APPID'),
  NEUXNET_SECRET: optionalSecret('NEUXNET_SECRET'),
  NEUXNET_DEFAULT_LANGUAGE: z
    .enum(LANGUAGES, { error: `NEUXNET_DEFAULT_LANGUAGE must be one of ${LANGUAGES.join(', ')}` })
    .default(DEFAULTS.NEUXNET_DEFAULT_LANGUAGE),
  NEUPUSH_CONCURRENCY: int('NEUPUSH_CONCURRENCY', 1, 1000).prefault(DEFAULTS.NEUPUSH_CONCURRENCY),
  NEUPUSH_CHUNK_SIZE: int('NEUPUSH_CHUNK_SIZE', 1, 10_000).prefault(DEFAULTS.NEUPUSH_CHUNK_SIZE),
  NEUPUSH_RATE_LIMIT: int('NEUPUSH_RATE_LIMIT', 1, 1_000_000).prefault(DEFAULTS.NEUPUSH_RATE_LIMIT),
  NEUPUSH_ATTEMPTS: int('NEUPUSH_ATTEMPTS', 1, 100).prefault(DEFAULTS.NEUPUSH_ATTEMPTS),
  NEUPUSH_BACKOFF_MS: int('NEUPUSH_BACKOFF_MS', 1, 3_600_000).prefault(DEFAULTS.NEUPUSH_BACKOFF_MS),
  NEUPUSH_TIMEOUT_MS: int('NEUPUSH_TIMEOUT_MS', 100, LOCK_DURATION_MS / 2).prefault(DEFAULTS.NEUPUSH_TIMEOUT_MS),
  NEUPUSH_MAX_LATENESS: duration('NEUPUSH_MAX_LATENESS').prefault(DEFAULTS.NEUPUSH_MAX_LATENESS),
  NEUPUSH_SHUTDOWN_TIMEOUT_MS: int('NEUPUSH_SHUTDOWN_TIMEOUT_MS', 0, 600_000).prefault(DEFAULTS.NEUPUSH_SHUTDOWN_TIMEOUT_MS),
  NEUPUSH_DEDUP_TTL: duration('NEUPUSH_DEDUP_TTL').prefault(DEFAULTS.NEUPUSH_DEDUP_TTL),
  NEUPUSH_OUTAGE_THRESHOLD: int('NEUPUSH_OUTAGE_THRESHOLD', 0, 100_000).prefault(DEFAULTS.NEUPUSH_OUTAGE_THRESHOLD),
  NEUPUSH_OUTAGE_MAX_PAUSE: duration('NEUPUSH_OUTAGE_MAX_PAUSE').prefault(DEFAULTS.NEUPUSH_OUTAGE_MAX_PAUSE),
  NEUPUSH_FREQUENCY_CAP: z
    .string()
    .transform((s, ctx) => {
      if (s.trim() === 'off') return undefined;
      const cap = parseCapText(s);
      if (cap === undefined) {
        ctx.addIssue({ code: 'custom', message: 'NEUPUSH_FREQUENCY_CAP must be off or N/duration, e.g. 2/24h (N from 1 to 1000, duration from 1m to 30d)' });
        return z.NEVER;
      }
      return cap;
    })
    .prefault(DEFAULTS.NEUPUSH_FREQUENCY_CAP),
  NEUPUSH_METRICS_PORT: int('NEUPUSH_METRICS_PORT', 0, 65_535).prefault(DEFAULTS.NEUPUSH_METRICS_PORT),
  NEUPUSH_METRICS_HOST: z
    .string()
    .refine(
      (s) => isIP(s) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(s),
      'NEUPUSH_METRICS_HOST must be a host name or IP address without scheme, port or brackets, e.g. 127.0.0.1 or ::',
    )
    .optional(),
  NEUPUSH_API_PORT: int('NEUPUSH_API_PORT', 0, 65_535).prefault(DEFAULTS.NEUPUSH_API_PORT),
  NEUPUSH_API_TOKEN: optionalSecret('NEUPUSH_API_TOKEN'),
  NEUPUSH_API_REQUEST_TIMEOUT_MS: int('NEUPUSH_API_REQUEST_TIMEOUT_MS', 100, 3_600_000).prefault(DEFAULTS.NEUPUSH_API_REQUEST_TIMEOUT_MS),
  NEUPUSH_API_HEADERS_TIMEOUT_MS: int('NEUPUSH_API_HEADERS_TIMEOUT_MS', 100, 600_000).prefault(DEFAULTS.NEUPUSH_API_HEADERS_TIMEOUT_MS),
  NEUPUSH_API_IDLE_TIMEOUT_MS: int('NEUPUSH_API_IDLE_TIMEOUT_MS', 100, 600_000).prefault(DEFAULTS.NEUPUSH_API_IDLE_TIMEOUT_MS),
  NEUPUSH_DASHBOARD_PORT: int('NEUPUSH_DASHBOARD_PORT', 0, 65_535).prefault(DEFAULTS.NEUPUSH_DASHBOARD_PORT),
  NEUPUSH_DASHBOARD_USER: optionalSecret('NEUPUSH_DASHBOARD_USER'),
  NEUPUSH_DASHBOARD_PASSWORD: optionalSecret('NEUPUSH_DASHBOARD_PASSWORD'),
  NEUPUSH_DASHBOARD_READ_ONLY: bool('NEUPUSH_DASHBOARD_READ_ONLY').prefault(DEFAULTS.NEUPUSH_DASHBOARD_READ_ONLY),
  NEUPUSH_ALLOW_EVICTION: bool('NEUPUSH_ALLOW_EVICTION').prefault(DEFAULTS.NEUPUSH_ALLOW_EVICTION),
  NEUPUSH_WEBHOOK_URL: webhookUrls('NEUPUSH_WEBHOOK_URL').optional(),
  NEUPUSH_WEBHOOK_SECRET: webhookSecret('NEUPUSH_WEBHOOK_SECRET'),
  NEUPUSH_WEBHOOK_EVENTS: webhookEvents('NEUPUSH_WEBHOOK_EVENTS').prefault(DEFAULTS.NEUPUSH_WEBHOOK_EVENTS),
  NEUPUSH_WEBHOOK_INCLUDE_OPENIDS: bool('NEUPUSH_WEBHOOK_INCLUDE_OPENIDS').prefault(DEFAULTS.NEUPUSH_WEBHOOK_INCLUDE_OPENIDS),
  NEUPUSH_WEBHOOK_TIMEOUT_MS: int('NEUPUSH_WEBHOOK_TIMEOUT_MS', 100, LOCK_DURATION_MS / 2).prefault(DEFAULTS.NEUPUSH_WEBHOOK_TIMEOUT_MS),
  NEUPUSH_WEBHOOK_ATTEMPTS: int('NEUPUSH_WEBHOOK_ATTEMPTS', 1, 100).prefault(DEFAULTS.NEUPUSH_WEBHOOK_ATTEMPTS),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default(DEFAULTS.LOG_LEVEL),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT').optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT').optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/protobuf', 'http/json'], { error: 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json' })
    .default(DEFAULTS.OTEL_EXPORTER_OTLP_PROTOCOL),
  OTEL_SERVICE_NAME: z.string().min(1).default(DEFAULTS.OTEL_SERVICE_NAME),
});

/**
 * The parsed configuration. Each field names the variable it comes from; its default is that variable's
 * entry in {@link DEFAULTS} (written once there), or unset when DEFAULTS has none.
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

/** Every environment variable neupush reads; test/unit/compose.test.ts checks docker-compose.yml against it. */
export const ENV_NAMES: readonly string[] = Object.freeze(Object.keys(EnvSchema.shape));

/** Parse the environment once. Empty strings count as unset, as shells and compose files produce them. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Readonly<Config> {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const variable = String(i.path[0] ?? '');
      return i.message.startsWith(variable) ? i.message : `${variable}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const e = result.data;
  const config: Config = {
    redisUrl: e.REDIS_URL,
    ...(e.REDIS_CLUSTER_NODES !== undefined && { redisClusterNodes: e.REDIS_CLUSTER_NODES }),
    ...(e.REDIS_SENTINELS !== undefined && { redisSentinels: e.REDIS_SENTINELS }),
    redisSentinelName: e.REDIS_SENTINEL_NAME,
    prefix: e.NEUPUSH_PREFIX,
    baseUrl: e.NEUXNET_BASE_URL,
    ...(e.NEUXNET_APPID !== undefined && { appid: e.NEUXNET_APPID }),
    ...(e.NEUXNET_SECRET !== undefined && { secret: e.NEUXNET_SECRET }),
    defaultLanguage: e.NEUXNET_DEFAULT_LANGUAGE,
    concurrency: e.NEUPUSH_CONCURRENCY,
    chunkSize: e.NEUPUSH_CHUNK_SIZE,
    rateLimit: e.NEUPUSH_RATE_LIMIT,
    attempts: e.NEUPUSH_ATTEMPTS,
    backoffMs: e.NEUPUSH_BACKOFF_MS,
    timeoutMs: e.NEUPUSH_TIMEOUT_MS,
    maxLatenessMs: e.NEUPUSH_MAX_LATENESS,
    shutdownTimeoutMs: e.NEUPUSH_SHUTDOWN_TIMEOUT_MS,
    dedupTtlMs: e.NEUPUSH_DEDUP_TTL,
    outageThreshold: e.NEUPUSH_OUTAGE_THRESHOLD,
    outageMaxPauseMs: e.NEUPUSH_OUTAGE_MAX_PAUSE,
    ...(e.NEUPUSH_FREQUENCY_CAP !== undefined && { frequencyCap: e.NEUPUSH_FREQUENCY_CAP }),
    metricsPort: e.NEUPUSH_METRICS_PORT,
    ...(e.NEUPUSH_METRICS_HOST !== undefined && { metricsHost: e.NEUPUSH_METRICS_HOST }),
    apiPort: e.NEUPUSH_API_PORT,
    ...(e.NEUPUSH_API_TOKEN !== undefined && { apiToken: e.NEUPUSH_API_TOKEN }),
    apiRequestTimeoutMs: e.NEUPUSH_API_REQUEST_TIMEOUT_MS,
    apiHeadersTimeoutMs: e.NEUPUSH_API_HEADERS_TIMEOUT_MS,
    apiIdleTimeoutMs: e.NEUPUSH_API_IDLE_TIMEOUT_MS,
    dashboardPort: e.NEUPUSH_DASHBOARD_PORT,
    ...(e.NEUPUSH_DASHBOARD_USER !== undefined && { dashboardUser: e.NEUPUSH_DASHBOARD_USER }),
    ...(e.NEUPUSH_DASHBOARD_PASSWORD !== undefined && { dashboardPassword: e.NEUPUSH_DASHBOARD_PASSWORD }),
    dashboardReadOnly: e.NEUPUSH_DASHBOARD_READ_ONLY,
    allowEviction: e.NEUPUSH_ALLOW_EVICTION,
    webhookUrls: e.NEUPUSH_WEBHOOK_URL ?? [],
    ...(e.NEUPUSH_WEBHOOK_SECRET !== undefined && { webhookSecret: e.NEUPUSH_WEBHOOK_SECRET }),
    webhookEvents: e.NEUPUSH_WEBHOOK_EVENTS,
    webhookIncludeOpenIds: e.NEUPUSH_WEBHOOK_INCLUDE_OPENIDS,
    webhookTimeoutMs: e.NEUPUSH_WEBHOOK_TIMEOUT_MS,
    webhookAttempts: e.NEUPUSH_WEBHOOK_ATTEMPTS,
    logLevel: e.LOG_LEVEL,
    ...tracesEndpoint(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, e.OTEL_EXPORTER_OTLP_ENDPOINT),
    otlpProtocol: e.OTEL_EXPORTER_OTLP_PROTOCOL,
    serviceName: e.OTEL_SERVICE_NAME,
    ...overrides,
  };
  if (config.redisClusterNodes && config.redisSentinels) {
    throw new ConfigError('Invalid configuration: set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both');
  }
  if (config.redisClusterNodes && !hasHashTag(config.prefix)) {
    throw new ConfigError(
      `Invalid configuration: NEUPUSH_PREFIX "${config.prefix}" needs a hash tag such as {${config.prefix}} with REDIS_CLUSTER_NODES: ` +
        'BullMQ and neupush run multi-key scripts, which a Redis Cluster allows only on keys of one hash slot',
    );
  }
  return Object.freeze(config);
}

/** The OTLP specification's rule: the signal-specific variable as it is, the base one with the signal's path. */
function tracesEndpoint(traces: string | undefined, base: string | undefined): { otlpTracesEndpoint?: string } {
  if (traces !== undefined) return { otlpTracesEndpoint: traces };
  if (base !== undefined) return { otlpTracesEndpoint: `${base.replace(/\/+$/, '')}/v1/traces` };
  return {};
}

/** Redis Cluster hashes only the part between the first `{` and the next `}`, when that part is not empty. */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open !== -1 && prefix.indexOf('}', open + 1) > open + 1;
}

/** The worker (and the sandbox) cannot run without credentials; the producer never needs the secret. */
export function requireCredentials(config: Readonly<Config>): { appid: string; secret: string } {
  const missing = [!config.appid && 'NEUXNET_APPID', !config.secret && 'NEUXNET_SECRET'].filter(Boolean);
  if (missing.length > 0) throw new ConfigError(`${missing.join(' and ')} must be set to send notifications`);
  return { appid: config.appid as string, secret: config.secret as string };
}
