import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE } from '../shared/queue-names.js';

/**
 * Job data keeps its instants as epoch ms (what the worker compares); the board shows them as ISO-8601 so
 * an operator can read a schedule. Writes coming back from the board (Update Data, Duplicate) carry the
 * shown strings, so they are turned back into ms before BullMQ stores them.
 */
export type DatePath = readonly string[];

/** Where the instants are, per queue: a delivery's own, and a dead letter's plus those of the delivery it holds. */
export const DATE_PATHS: Readonly<Record<string, readonly DatePath[]>> = {
  [DELIVERY_QUEUE]: [['sendAt'], ['deadline']],
  [DEAD_LETTER_QUEUE]: [['queuedAt'], ['failedAt'], ['delivery', 'sendAt'], ['delivery', 'deadline']],
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A copy of `data` with the value at each path mapped by `convert`; the input is never changed. */
function mapPaths(data: unknown, paths: readonly DatePath[], convert: (value: unknown) => unknown): unknown {
  if (!isObject(data) || paths.length === 0) return data;
  const copy: Json = { ...data };
  const byHead = new Map<string, DatePath[]>();
  for (const [head, ...rest] of paths) {
    if (head === undefined) continue;
    byHead.set(head, [...(byHead.get(head) ?? []), rest]);
  }
  for (const [head, rests] of byHead) {
    if (!(head in copy)) continue;
    copy[head] = rests.some((r) => r.length === 0)
      ? convert(copy[head])
      : mapPaths(copy[head], rests, convert);
  }
  return copy;
}

export function showDates(data: unknown, paths: readonly DatePath[]): unknown {
  return mapPaths(data, paths, (v) => (typeof v === 'number' && Number.isFinite(v) ? new Date(v).toISOString() : v));
}

export function unshowDates(data: unknown, paths: readonly DatePath[]): unknown {
  return mapPaths(data, paths, (v) => (typeof v === 'string' && ISO.test(v) ? Date.parse(v) : v));
}
