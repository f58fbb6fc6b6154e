import { context, propagation, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { SpanKind, tracer } from '../../shared/spans.js';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A SERVER span per API request, from the moment it arrives (auth refusals included) to the answer, with
 * the route's pattern and the status: never the query, headers or body. A caller's `traceparent` header
 * makes it a child of the caller's span; the handler runs inside it, so the send or campaign creation it
 * calls, and the deliveries after that, join the trace. Register before the routes.
 */
export function traceRequests(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url;
    const span = tracer().startSpan(
      `${request.method} ${route ?? 'unknown route'}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, ...(route !== undefined && { 'http.route': route }) } },
      parent,
    );
    spans.set(request, span);
  });
  app.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  app.addHook('onRequestAbort', async (request) => {
    spans.get(request)?.setAttribute('neupush.aborted', true).end();
  });
  app.addHook('onRoute', (route) => {
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
      const span = spans.get(request);
      if (!span) return handler.call(this, request, reply);
      return context.with(trace.setSpan(context.active(), span), () => handler.call(this, request, reply));
    };
  });
}
