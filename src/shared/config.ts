import { ConfigError } from './errors.js';
import { EnvSchema } from './config-env.js';
import type { Config } from './config-fields.js';

// The variables, their defaults and parsers live in config-env.ts, the parsed shape in config-fields.ts;
// this file turns the one into the other. Importers keep importing everything from here.
export { DEFAULTS, ENV_NAMES, LOCK_DURATION_MS } from './config-env.js';
export type { Config } from './config-fields.js';

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
