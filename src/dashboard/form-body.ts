import type { FastifyInstance } from 'fastify';

/** Let routes of `app` take HTML form posts; fastify parses only JSON and text by itself. */
export function acceptFormPosts(app: FastifyInstance, bodyLimit = 64 * 1024): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}
