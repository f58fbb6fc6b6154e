import { z } from 'zod';
import { parseDuration } from './duration.js';

// Parsers of one environment variable each; every message starts with the variable's name.

export const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

export const duration = (name: string) =>
  z
    .string()
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a duration like 90s, 15m, 1h or a number of ms` });
        return z.NEVER;
      }
      return ms;
    });

export const bool = (name: string) =>
  z
    .enum(['true', 'false', '1', '0'], { error: `${name} must be true, false, 1 or 0` })
    .transform((s) => s === 'true' || s === '1');

/** `host:port,host:port`: Redis Cluster seed nodes, or Sentinels. */
export const hostPorts = (name: string) =>
  z.string().transform((s, ctx) => {
    const nodes = s.split(',').map((part) => /^\s*([^\s:,]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(part));
    if (nodes.some((m) => m === null || Number(m[2]) > 65_535)) {
      ctx.addIssue({ code: 'custom', message: `${name} must be a comma-separated list of host:port` });
      return z.NEVER;
    }
    // An IPv6 host is written in brackets, as in a URL; ioredis wants it bare.
    return nodes.map((m) => ({ host: ((m as RegExpExecArray)[1] as string).replace(/^\[(.*)\]$/, '$1'), port: Number((m as RegExpExecArray)[2]) }));
  });

export const optionalSecret = (name: string) => z.string().min(1, `${name} must not be empty when set`).optional();

/** An http(s) URL, e.g. an OTLP collector's. */
export const httpUrl = (name: string) => z.string().refine((s) => /^https?:\/\/[^/\s]+/.test(s), `${name} must be an http(s) URL`);
