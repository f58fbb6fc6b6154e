import { context, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import type { Job } from 'bullmq';
import type { SendNotifyResult } from '../neuxnet/client.js';
import { contextOf, SpanKind, tracer, tracingOn, withSpan } from '../shared/spans.js';
import type { DeliveryOutcome } from './processor-hooks.js';
import { RetryableDeliveryError } from './retryable-error.js';

type Process = (job: Job, token?: string) => Promise<DeliveryOutcome>;

/** Ids only, read as strings: the job data is not checked yet, and a field of another type is left out. */
function jobAttributes(job: Job): Attributes {
  const data = (job.data ?? {}) as Record<string, unknown>;
  const attributes: Attributes = { 'neupush.job.id': job.id ?? '', 'neupush.attempt': job.attemptsMade + 1 };
  for (const [field, name] of [
    ['notificationId', 'neupush.notification.id'],
    ['deliveryKey', 'neupush.delivery_key'],
    ['campaignId', 'neupush.campaign.id'],
  ] as const) {
    if (typeof data[field] === 'string') attributes[name] = data[field];
  }
  const activityId = (data.activity as { activityId?: unknown } | undefined)?.activityId;
  if (typeof activityId === 'string') attributes['neupush.activity.id'] = activityId;
  return attributes;
}

/**
 * The trace the job was queued in. BullMQ's own telemetry, when on, has already made its process span
 * (of the same trace) active: nest under that; otherwise continue from the job's traceparent.
 */
function parentOf(job: Job): Context {
  const queued = contextOf((job.data as { traceparent?: unknown } | undefined)?.traceparent);
  const traceId = trace.getSpanContext(queued)?.traceId;
  const active = trace.getActiveSpan();
  if (traceId !== undefined && active?.isRecording() && active.spanContext().traceId === traceId) return context.active();
  return queued;
}

function outcomeAttributes(outcome: DeliveryOutcome): Attributes {
  switch (outcome.status) {
    case 'delivered':
      return { 'neupush.outcome': outcome.status, 'neupush.recipients': outcome.recipients };
    case 'dead-lettered':
      return { 'neupush.outcome': outcome.status, 'neupush.dead_letter.reason': outcome.reason };
    default:
      return { 'neupush.outcome': outcome.status };
  }
}

/** What a thrown control-flow error means for this attempt: BullMQ retries, defers or pauses it. */
function thrownOutcome(error: unknown): { outcome: string; failed: boolean } {
  if (error instanceof RetryableDeliveryError) return { outcome: 'retry', failed: true };
  const name = (error as { name?: unknown } | undefined)?.name;
  if (name === 'DelayedError') return { outcome: 'deferred', failed: false };
  if (name === 'RateLimitError') return { outcome: 'paused', failed: false };
  return { outcome: 'error', failed: true };
}

/** One CONSUMER span per delivery attempt, joined to the trace of the send or campaign that queued it. */
export function tracedProcessor(process: Process): Process {
  const traced: Process = (job, token) =>
    tracer().startActiveSpan('neupush.delivery', { kind: SpanKind.CONSUMER, attributes: jobAttributes(job) }, parentOf(job), async (span) => {
      try {
        const outcome = await process(job, token);
        span.setAttributes(outcomeAttributes(outcome));
        return outcome;
      } catch (error) {
        const { outcome, failed } = thrownOutcome(error);
        span.setAttribute('neupush.outcome', outcome);
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        throw error;
      } finally {
        span.end();
      }
    });
  return (job, token) => (tracingOn() ? traced(job, token) : process(job, token));
}

/** A CLIENT span around one call of the platform (`sendNotify`, `sendActivity`), with its answer: outcome and statuses. */
export function tracedCall<R extends Pick<SendNotifyResult, 'outcome' | 'httpStatus' | 'status' | 'recipients'>>(
  name: string,
  call: () => Promise<R>,
): Promise<R> {
  if (!tracingOn()) return call();
  return withSpan(`neuxnet.${name}`, { kind: SpanKind.CLIENT }, async (span) => {
    const result = await call();
    span.setAttributes({
      'neupush.outcome': result.outcome,
      'neupush.recipients': result.recipients,
      ...(result.httpStatus !== undefined && { 'http.response.status_code': result.httpStatus }),
      ...(result.status !== undefined && { 'neuxnet.status': result.status }),
    });
    if (result.outcome !== 'delivered') span.setStatus({ code: SpanStatusCode.ERROR, message: result.outcome });
    return result;
  });
}
