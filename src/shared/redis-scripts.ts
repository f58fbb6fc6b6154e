import type { RedisConnection } from './redis.js';

export interface ScriptDefinition {
  /** Absent: the script takes a varying number of keys, and each call passes that number first. */
  numberOfKeys?: number;
  lua: string;
}

/**
 * Our Lua scripts as ioredis commands on a connection, defined the first time a connection is seen:
 * ioredis then runs them with EVALSHA, so the script text is not sent (and hashed by Redis) on every call.
 * `C` names the commands with their argument and result types; `scripts` has one definition for each.
 */
export function withScripts<C extends object>(
  redis: RedisConnection,
  scripts: { readonly [K in keyof C & string]: ScriptDefinition },
): RedisConnection & C {
  const r = redis as RedisConnection & Partial<Record<string, unknown>>;
  for (const name of Object.keys(scripts) as (keyof C & string)[]) {
    if (typeof r[name] !== 'function') redis.defineCommand(name, scripts[name]);
  }
  return r as RedisConnection & C;
}
