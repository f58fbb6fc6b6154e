import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { WebhookEvent } from '../../src/shared/webhook-events.js';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  event: WebhookEvent;
  /** Whether the standardwebhooks package accepted the signature. */
  verified: boolean;
}

/** What the receiver answers to its n-th request (0-based): a status, or 'hang' (never answers). */
export type Answer = (n: number, event: WebhookEvent) => number | 'hang';

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Requests still waiting for an answer ('hang'). */
  hanging(): number;
  answer: Answer;
  close(): Promise<void>;
}

/**
 * A real webhook receiver on loopback, as an application would write one: it verifies every request
 * with the standardwebhooks package and records what came, verified or not.
 */
export async function startWebhookReceiver(secret: string, answer: Answer = () => 204): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const sockets = new Set<Socket>();
  const held = new Set<ServerResponse>();
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    hanging: () => held.size,
    answer,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verified = true;
      try {
        verifier.verify(body, headers);
      } catch {
        verified = false;
      }
      const event = JSON.parse(body) as WebhookEvent;
      const n = receiver.received.length;
      receiver.received.push({ id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, event, verified });
      const reply = receiver.answer(n, event);
      if (reply === 'hang') {
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      }
      res.writeHead(reply).end();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?token=t0ken-in-url`;
  return receiver;
}
