import { Cluster, type ChainableCommander } from 'ioredis';
import type { RedisConnection } from '../shared/redis.js';

/** Adds exactly one command to `pipeline` (its reply is the caller's). */
export type AddCommand = (pipeline: ChainableCommander) => void;

interface Pending {
  add: AddCommand;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const turns = new WeakMap<RedisConnection, (add: AddCommand) => Promise<unknown>>();

/**
 * Run one short command on `redis`, sent together with the others issued in the same turn of the event
 * loop: one pipeline, so one socket write and one read, where each command alone costs a write system call
 * (about 20 µs on this machine kind, a visible share of a delivery's CPU). Under load several deliveries
 * claim and record in the same turn; alone, a command waits only for the end of the turn (setImmediate).
 *
 * Our own, not ioredis's enableAutoPipelining: that crashed the process with an uncaught "results[i] is
 * not iterable" under a script of ours (redis/ioredis#1931) and groups EVALSHA wrongly on a Cluster
 * (redis/ioredis#2109). Here every command settles with its own reply or error, a failed pipeline rejects
 * each of its commands, and on a Cluster (whose pipelines must stay in one slot) each command is a
 * pipeline of its own. Scripts work as on the connection: ioredis sends EVAL the first time a socket
 * sees one, EVALSHA after, and resends one that meets NOSCRIPT.
 */
export function inTurn<T>(redis: RedisConnection, add: AddCommand): Promise<T> {
  let run = turns.get(redis);
  if (!run) turns.set(redis, (run = turnRunner(redis)));
  return run(add) as Promise<T>;
}

function turnRunner(redis: RedisConnection): (add: AddCommand) => Promise<unknown> {
  const single = redis instanceof Cluster;
  let pending: Pending[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    send(redis, batch);
  };
  return (add) =>
    new Promise((resolve, reject) => {
      const item = { add, resolve, reject };
      if (single) return send(redis, [item]);
      if (pending.push(item) === 1) setImmediate(flush);
    });
}

function send(redis: RedisConnection, batch: Pending[]): void {
  const pipeline = redis.pipeline();
  // Replies come back by position: only the commands that were added wait for one.
  const added: Pending[] = [];
  for (const item of batch) {
    try {
      item.add(pipeline);
      added.push(item);
    } catch (error) {
      item.reject(error);
    }
  }
  if (added.length === 0) return;
  pipeline.exec().then(
    (results) => {
      for (const [i, item] of added.entries()) {
        const [error, value] = results?.[i] ?? [new Error('Redis gave no reply to a pipelined command'), undefined];
        if (error) item.reject(error);
        else item.resolve(value);
      }
    },
    (error: unknown) => {
      for (const item of added) item.reject(error);
    },
  );
}
