import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.js';
import { promoteAllDue, promoteOne } from './promote-guard.js';
import { DATE_PATHS, unshowDates } from './shown-dates.js';

interface BoardParams {
  queueName?: string;
  jobId?: string;
}

/**
 * Bull Board's own handlers act on BullMQ as asked; these checks run first, on the routes where that would
 * surprise an operator: promoting far-future sends, and writing back the ISO dates the board shows.
 */
export function guardBoardWrites(app: FastifyInstance, queues: readonly Queue[], logger: Logger): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return undefined;
    const { queueName, jobId } = (request.params ?? {}) as BoardParams;
    const queue = queues.find((q) => q.name === queueName);
    if (!queue) return undefined;
    const route = request.routeOptions.url;

    if (route === '/api/queues/:queueName/promote' || (route === '/api/queues/:queueName/:jobId/promote' && jobId !== undefined)) {
      const answer = jobId === undefined ? await promoteAllDue(queue) : await promoteOne(queue, jobId);
      if (answer === undefined) return undefined;
      if (answer.status !== 200) logger.warn({ queue: queue.name, jobId, reason: answer.body.error }, 'refused a promote');
      return reply.code(answer.status).send(answer.body);
    }

    const paths = DATE_PATHS[queue.name];
    const body = request.body as { data?: unknown; jobData?: unknown } | undefined;
    if (paths && body && typeof body === 'object') {
      if (route === '/api/queues/:queueName/add' && 'data' in body) body.data = unshowDates(body.data, paths);
      if (route === '/api/queues/:queueName/:jobId/update-data' && 'jobData' in body) body.jobData = unshowDates(body.jobData, paths);
    }
    return undefined;
  });
}
