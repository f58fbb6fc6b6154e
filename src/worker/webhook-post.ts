import { RequestError, TimeoutError } from 'got';
import { createPostClient, type PostClient } from '../neuxnet/post-client.js';
import type { WebhookHeaders } from './webhook-sign.js';
import type { WebhookAnswer } from './webhook-decision.js';

/**
 * POSTs signed events to receivers. Never retries (BullMQ's attempts are the one retry layer), never
 * follows a redirect (a receiver that moved says so with a final answer), keeps sockets alive.
 */
export class WebhookPoster {
  readonly #transport: PostClient;

  constructor(options: { timeoutMs: number; maxSockets: number }) {
    this.#transport = createPostClient({
      timeoutMs: options.timeoutMs,
      maxSockets: options.maxSockets,
      headers: { 'content-type': 'application/json', 'user-agent': 'neupush-webhooks' },
    });
  }

  async post(url: string, body: string, headers: WebhookHeaders): Promise<WebhookAnswer> {
    try {
      const response = await this.#transport.got(url, { body, headers: { ...headers } });
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
    this.#transport.close();
  }
}
