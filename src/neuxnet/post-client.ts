import http from 'node:http';
import https from 'node:https';
import { got, type Got } from 'got';

export interface PostClientOptions {
  /** One HTTP call, connect to last byte. */
  timeoutMs: number;
  /** Sockets kept open per host. */
  maxSockets: number;
  /** Base URL that request paths are resolved against. @defaultValue none: callers pass whole URLs */
  prefixUrl?: string;
  headers: Record<string, string>;
}

export interface PostClient {
  got: Got;
  /** Destroys the kept-alive sockets. */
  close(): void;
}

/**
 * The transport both outgoing POSTers share (the Open API client, webhook delivery): keep-alive sockets,
 * no retries (BullMQ's attempts are the one retry layer), no redirects (a moved endpoint answers finally),
 * every status answered rather than thrown, the body as text.
 */
export function createPostClient(options: PostClientOptions): PostClient {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const client = got.extend({
    ...(options.prefixUrl !== undefined && { prefixUrl: options.prefixUrl }),
    method: 'POST',
    throwHttpErrors: false,
    followRedirect: false,
    retry: { limit: 0 },
    timeout: { request: options.timeoutMs },
    agent: agents,
    responseType: 'text',
    headers: options.headers,
  });
  return {
    got: client,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
