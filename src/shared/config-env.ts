import { isIP } from 'node:net';
import { z } from 'zod';
import { LANGUAGES } from '../neuxnet/notification.js';
import { bool, duration, hostPorts, httpUrl, int, optionalSecret } from './env-parsers.js';
import { webhookEvents, webhookSecret, webhookUrls } from './webhook-env.js';
import { parseCapText } from './frequency-cap.js';

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

/** The environment as neupush reads it: one parser per variable, each default from DEFAULTS. */
export const EnvSchema = z.object({
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

/** Every environment variable neupush reads; test/unit/compose.test.ts checks docker-compose.yml against it. */
export const ENV_NAMES: readonly string[] = Object.freeze(Object.keys(EnvSchema.shape));
