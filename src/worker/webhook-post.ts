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
    // The failure is the error's code only (post-client.ts): a message could repeat the URL, which may carry a token.
    const answer = await this.#transport.post(new URL(url), body, { ...headers });
    if ('networkError' in answer) return answer;
    const retryAfter = answer.header('retry-after');
    return {
      statusCode: answer.statusCode,
      ...(answer.statusMessage && { statusMessage: answer.statusMessage }),
      ...(retryAfter !== undefined && { retryAfter }),
    };
  }

  close(): void {
    this.#transport.close();
  }
}
