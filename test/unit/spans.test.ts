import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { NOOP_SPAN, tracingOn, withSpan } from '../../src/shared/spans.js';

describe('tracingOn', () => {
  afterEach(() => trace.disable());

  it('is false until a tracer provider is registered, and withSpan then builds no span', async () => {
    expect(tracingOn()).toBe(false);
    expect(await withSpan('x', {}, async (span) => span)).toBe(NOOP_SPAN);
  });

  it('is true once an SDK registers a provider, also one registered after start-up, and spans are recorded', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    expect(tracingOn()).toBe(true);
    await withSpan('neupush.test', {}, async (span) => expect(span.isRecording()).toBe(true));
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['neupush.test']);
  });
});
