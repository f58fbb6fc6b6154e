import type { RedisConnection } from './redis.js';

export interface ScriptDefinition {
  /** Absent: the script takes a varying number of keys, and each call passes that number first. */
  numberOfKeys?: number;
  lua: string;
}

/** The connections each script table has been defined on. */
const DEFINED = new WeakMap<object, WeakSet<RedisConnection>>();

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
  // Asked once per command on the hot paths: a connection seen with these scripts has them.
  let defined = DEFINED.get(scripts);
  if (defined?.has(redis)) return r as RedisConnection & C;
  if (!defined) DEFINED.set(scripts, (defined = new WeakSet()));
  defined.add(redis);
  for (const name of Object.keys(scripts) as (keyof C & string)[]) {
    if (typeof r[name] !== 'function') redis.defineCommand(name, scripts[name]);
  }
  return r as RedisConnection & C;
}
