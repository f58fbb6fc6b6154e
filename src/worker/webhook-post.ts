import http from 'node:http';
import https from 'node:https';
import { got, RequestError, TimeoutError, type Got } from 'got';
import type { WebhookHeaders } from './webhook-sign.js';
import type { WebhookAnswer } from './webhook-decision.js';

/**
 * POSTs signed events to receivers. Never retries (BullMQ's attempts are the one retry layer), never
 * follows a redirect (a receiver that moved says so with a final answer), keeps sockets alive.
 */
export class WebhookPoster {
  readonly #got: Got;
  readonly #agents: { http: http.Agent; https: https.Agent };

  constructor(options: { timeoutMs: number; maxSockets: number }) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
    this.#agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    this.#got = got.extend({
      method: 'POST',
      throwHttpErrors: false,
      followRedirect: false,
      retry: { limit: 0 },
      timeout: { request: options.timeoutMs },
      agent: this.#agents,
      responseType: 'text',
      headers: { 'content-type': 'application/json', 'user-agent': 'neupush-webhooks' },
    });
  }

  async post(url: string, body: string, headers: WebhookHeaders): Promise<WebhookAnswer> {
    try {
      const response = await this.#got(url, { body, headers: { ...headers } });
      const retryAfter = response.headers['retry-after'];
      return {
        statusCode: response.statusCode,
        ...(response.statusMessage && { statusMessage: response.statusMessage }),
        ...(retryAfter !== undefined && { retryAfter }),
      };
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      // The code only: got's messages can repeat the URL, which may carry a token.
      return { networkError: `${error.code}${error instanceof TimeoutError ? ` (${error.event} timeout)` : ''}` };
    }
  }

  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}
