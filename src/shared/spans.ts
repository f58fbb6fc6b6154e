import {
  context,
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

/** The tracer every neupush span comes from: a no-op unless an SDK is installed (telemetry.ts, or the application's). */
export const tracer = () => trace.getTracer('neupush');

/** What the API's proxy delegates to while no SDK is registered: its one no-op provider. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether a tracing SDK is registered (ours from telemetry.ts, or the application's), asked on each use
 * since an application may register one after the worker started. Without one every span is a no-op, and
 * the hot path skips building it (its attributes, closures and context switch) on every delivery. A
 * provider registered through another copy of the API is taken as on.
 */
export function tracingOn(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_PROVIDER);
}

/** The span `work` is given while tracing is off: records nothing, like the API's own no-op spans. */
export const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export { SpanKind };
export type { Span };

/** W3C trace-context `traceparent`: version 00, trace id, parent span id, flags. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The active span as a `traceparent`, for job data: undefined when nothing is recording (telemetry off),
 * so job data stays as it was. Never anything but ids and flags.
 */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}

/**
 * The context a `traceparent` from job data names. One that is not a well-formed W3C traceparent starts a
 * new trace: a trace context is advisory and never a reason to refuse a delivery.
 */
export function contextOf(traceparent: unknown): Context {
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT;
  const [, traceId, spanId, flags] = traceparent.split('-') as [string, string, string, string];
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true });
}

/**
 * Run `work` in a new active span, ended when it settles. A failure marks the span with the error's name
 * and code only: messages can quote input.
 */
export function withSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return work(NOOP_SPAN);
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, options.parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span, error: unknown): void {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const type = typeof code === 'string' ? code : typeof name === 'string' ? name : 'Error';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}
