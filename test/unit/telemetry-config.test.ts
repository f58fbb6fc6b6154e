import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { activeTraceparent, contextOf } from '../../src/shared/spans.js';
import { setupTelemetry } from '../../src/shared/telemetry.js';
import { trace } from '@opentelemetry/api';
import { checkJobData } from '../../src/worker/job-data-check.js';

describe('OTEL_* configuration', () => {
  it.each([
    [{}, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }, 'http://collector:4318/v1/traces'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://jaeger:4318/v1/traces' }, 'http://jaeger:4318/v1/traces'],
  ])('%o exports traces to %s', (env, endpoint) => {
    expect(loadConfig(env).otlpTracesEndpoint).toBe(endpoint);
  });

  it('defaults to http/protobuf and service name neupush; a wrong protocol or URL names the variable', () => {
    expect(loadConfig({})).toMatchObject({ otlpProtocol: 'http/protobuf', serviceName: 'neupush' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'push-eu' })).toMatchObject({ otlpProtocol: 'http/json', serviceName: 'push-eu' });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  });

  it('without an endpoint nothing is installed and job data gets no traceparent', async () => {
    expect(await setupTelemetry({ config: loadConfig({}) })).toBeUndefined();
    expect(activeTraceparent()).toBeUndefined();
  });
});

describe('traceparent in job data', () => {
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('a well-formed one is continued; a malformed one starts a new trace instead of failing the job', () => {
    expect(trace.getSpanContext(contextOf(tp))).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    for (const bad of ['', 'x', 42, `${tp}-extra`, '00-00000000000000000000000000000000-b7ad6b7169203331-01']) {
      expect(trace.getSpanContext(contextOf(bad))).toBeUndefined();
    }
  });

  it('is accepted by the pick-up check, and one of another type goes to the schema', () => {
    const data = { v: 1, notificationId: 'n-1', deliveryKey: 'n-1.0', sendAt: 1, deadline: 2, notification: { title: 't', text: 'x', navigateType: '1', openIds: ['u-1'] } };
    expect(checkJobData({ ...data, traceparent: tp })).toMatchObject({ ok: true, data: { traceparent: tp } });
    expect(checkJobData({ ...data, traceparent: 7 })).toMatchObject({ ok: false, why: expect.stringMatching(/traceparent/) });
  });
});
