import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import { assertId, IDS } from '../../shared/ids.js';
import type { Producer } from '../producer.js';
import { ROUTE_DOCS } from './route-docs.js';
import { ActivityRequestSchema, RemoveActivityRequestSchema } from './schemas.js';

/** The request helpers routes.ts shares, so both answer bad input alike. */
export interface RouteHelpers {
  parse<S extends z.ZodType>(schema: S, input: unknown, what: string, basePath?: string[]): z.output<S>;
  nested<T>(prefix: string, run: () => Promise<T>): Promise<T>;
  idempotencyKeyOf(request: FastifyRequest): string | undefined;
}

/** `POST /v1/activities` and `DELETE /v1/activities/{id}`: showActivity and removeActivity over HTTP. */
export function registerActivityRoutes(app: FastifyInstance, producer: Producer, { parse, nested, idempotencyKeyOf }: RouteHelpers): void {
  app.post('/v1/activities', { schema: ROUTE_DOCS.showActivity }, async (request, reply) => {
    const body = parse(ActivityRequestSchema, request.body, 'request');
    if (body.activity.openIds === undefined || body.activity.openIds.length === 0) {
      throw new ValidationError('request', [{ field: 'activity.openIds', rule: 'must be a non-empty list of openIds' }]);
    }
    const raw = request.body as { activity: Parameters<Producer['showActivity']>[0] };
    const key = idempotencyKeyOf(request);
    if (key !== undefined && body.options?.idempotencyKey !== undefined && body.options.idempotencyKey !== key) {
      throw new ValidationError('request', [{ field: 'options.idempotencyKey', rule: 'differs from the Idempotency-Key header' }]);
    }
    const options = { ...(request.body as { options?: object }).options, ...(key !== undefined && { idempotencyKey: key }) };
    const result = await nested('options', () => producer.showActivity(raw.activity, options));
    return reply.code(202).send(result);
  });

  app.delete<{ Params: { id: string } }>('/v1/activities/:id', { schema: ROUTE_DOCS.removeActivity }, async (request, reply) => {
    assertId(IDS.activity, request.params.id, 'id');
    const body = parse(RemoveActivityRequestSchema, request.body, 'request');
    const result = await producer.removeActivity(request.params.id, body.audience, body.options ?? {});
    return reply.code(202).send(result);
  });
}
