import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { BullMQOtel } from 'bullmq-otel';
import type { Config } from './config.js';

export type TelemetryConfig = Pick<Config, 'otlpTracesEndpoint' | 'otlpProtocol' | 'serviceName'>;

export interface TelemetryOptions {
  /** OTEL_* settings; traces are exported when `otlpTracesEndpoint` is set. */
  config?: Partial<TelemetryConfig>;
  /**
   * Export to this instead of OTLP (tests: an InMemorySpanExporter), each span as it ends.
   * @defaultValue none: OTLP to `config.otlpTracesEndpoint`, batched
   */
  exporter?: SpanExporter;
}

export interface Telemetry {
  /** Flush what is left and, for the last user, uninstall the SDK. Safe to call twice. */
  shutdown(): Promise<void>;
}

interface Installed {
  users: number;
  bullmq: BullMQOtel;
  shutdown(): Promise<void>;
}

/** One SDK per process: the API and a worker started in one process (tests, `neupush demo`) share it. */
let installing: Promise<Installed> | undefined;
let installed: Installed | undefined;

/**
 * Install the OpenTelemetry SDK, when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set or an exporter is given;
 * otherwise resolve undefined having loaded nothing: the spans neupush starts then go to
 * @opentelemetry/api's no-op tracer (or to an SDK the embedding application installed itself).
 */
export async function setupTelemetry(options: TelemetryOptions = {}): Promise<Telemetry | undefined> {
  if (!installing) {
    if (options.exporter === undefined && options.config?.otlpTracesEndpoint === undefined) return undefined;
    installing = install(options).catch((error: unknown) => {
      installing = undefined;
      throw error;
    });
  }
  const state = await installing;
  state.users += 1;
  let released = false;
  return {
    shutdown: async () => {
      if (released) return;
      released = true;
      state.users -= 1;
      if (state.users > 0) return;
      installing = undefined;
      installed = undefined;
      await state.shutdown();
    },
  };
}

/** `{ telemetry }` for a BullMQ Queue or Worker: BullMQ's own spans, when telemetry is on. */
export function bullmqTelemetry(): { telemetry?: BullMQOtel } {
  return installed ? { telemetry: installed.bullmq } : {};
}

async function install(options: TelemetryOptions): Promise<Installed> {
  const [{ NodeTracerProvider }, base, { resourceFromAttributes }, { BullMQOtel }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('bullmq-otel'),
  ]);
  const processor: SpanProcessor = options.exporter
    ? new base.SimpleSpanProcessor(options.exporter)
    : new base.BatchSpanProcessor(await otlpExporter(options.config ?? {}));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.config?.serviceName ?? 'neupush' }),
    spanProcessors: [processor],
  });
  // Also installs the W3C trace-context propagator and the async-hooks context manager.
  provider.register();
  installed = {
    users: 0,
    bullmq: new BullMQOtel({ tracerName: 'neupush-bullmq' }),
    shutdown: async () => {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
  return installed;
}

async function otlpExporter(config: Partial<TelemetryConfig>): Promise<SpanExporter> {
  const url = config.otlpTracesEndpoint;
  if (config.otlpProtocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url });
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url });
}
