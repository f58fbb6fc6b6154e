import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { got, type Got } from 'got';
import { Pool } from 'undici';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { encodeForm } from '../src/neuxnet/form.js';
import { sign } from '../src/neuxnet/sign.js';
import { SEND_NOTIFY_PATH, toWireParams } from '../src/neuxnet/wire.js';
import type { Notification } from '../src/neuxnet/notification.js';
import type { DeliveryJobData } from '../src/shared/job-data.js';

export const APPID = 'bench-app';
export const SECRET = `bench-${randomBytes(12).toString('hex')}`;

/** 100 openIds of 32 hex characters, as the platform's openIds look. */
export function notificationFor(i: number, size = 100): Notification {
  return {
    title: 'Your order has shipped',
    text: 'Track it in the app: it should arrive within two days.',
    navigateType: '1',
    language: 'en_US',
    notifyType: 1,
    openIds: Array.from({ length: size }, (_, k) => `${i.toString(16).padStart(16, '0')}${k.toString(16).padStart(16, '0')}`),
  };
}

export function deliveryData(i: number, sendAt = Date.now()): DeliveryJobData {
  const id = `b-${i}`;
  return { v: 1, notificationId: id, deliveryKey: `${id}.0`, notification: notificationFor(i), sendAt, deadline: sendAt + 3_600_000 };
}

/** How the raw contenders POST: got (the bare worker of the targets), or undici as a developer would call it bare. */
export type RawTransport = 'got' | 'undici';

export interface RawSender {
  send(n: Notification): Promise<boolean>;
  close(): void;
}

/**
 * The raw contender's HTTP call: the same signing and form encoding as SendNotifyClient, with either got
 * (keep-alive agent, no retries, a timeout, as our client was configured before it moved to undici) or
 * undici's `Pool.request` reading the body as text, without our classification and hooks around it.
 */
export function rawSender(baseUrl: string, maxSockets = 64, transport: RawTransport = 'got'): RawSender {
  const form = (n: Notification) => {
    const params = toWireParams(n, APPID, Date.now());
    return encodeForm({ ...params, sign: sign(params, SECRET) });
  };
  const accepted = (status: number, body: string) => status === 200 && (JSON.parse(body) as { response?: unknown }).response === true;
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (transport === 'undici') {
    const pool = new Pool(baseUrl, { connections: maxSockets });
    return {
      async send(n) {
        const res = await pool.request({ path: SEND_NOTIFY_PATH, method: 'POST', body: form(n), headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
        return accepted(res.statusCode, await res.body.text());
      },
      close: () => void pool.destroy(),
    };
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const client: Got = got.extend({
    prefixUrl: baseUrl,
    method: 'POST',
    throwHttpErrors: false,
    followRedirect: false,
    retry: { limit: 0 },
    timeout: { request: 10_000 },
    agent: { http: agent },
    responseType: 'text',
    headers,
  });
  return {
    async send(n) {
      const res = await client(SEND_NOTIFY_PATH.slice(1), { body: form(n) });
      return accepted(res.statusCode, res.body);
    },
    close: () => agent.destroy(),
  };
}

export async function redisVersion(url: string): Promise<string> {
  const redis = new Redis(url);
  try {
    return /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  } finally {
    redis.disconnect();
  }
}

/** Resolves once `worker` has emitted `count` completed events from now on. */
export function completions(worker: Worker, count: number, timeoutMs = 600_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const timer = setTimeout(() => {
      worker.off('completed', onCompleted);
      reject(new Error(`only ${done} of ${count} jobs completed in ${timeoutMs} ms`));
    }, timeoutMs);
    const onCompleted = () => {
      if (++done < count) return;
      clearTimeout(timer);
      worker.off('completed', onCompleted);
      resolve();
    };
    worker.on('completed', onCompleted);
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function prefix(tag: string): string {
  return `bench-${tag}-${randomBytes(4).toString('hex')}`;
}

/** Tear down a raw BullMQ contender: stop its worker first so nothing is mid-request, then its queue and connections. */
export async function closeRawContender(c: {
  worker: Worker;
  sender: { close(): void };
  queue: { obliterate(o: { force: boolean }): Promise<void>; close(): Promise<void> };
  connection: Redis;
  workerConnection: Redis;
}): Promise<void> {
  await c.worker.close();
  c.sender.close();
  await c.queue.obliterate({ force: true });
  await c.queue.close();
  c.connection.disconnect();
  c.workerConnection.disconnect();
}
