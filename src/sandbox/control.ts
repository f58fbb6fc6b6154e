import { z } from 'zod';
import type { FaultRule } from './faults.js';

const status = z.number().int().min(100).max(599);

/** Strict, so a chaos test that misspells a fault gets a 400 instead of a silently healthy sandbox. */
const FaultRuleSchema = z.strictObject({
  match: z.strictObject({ title: z.string().optional(), openId: z.string().optional(), status: z.enum(['0', '1']).optional() }).optional(),
  times: z.number().int().min(1).optional(),
  httpStatus: status.optional(),
  headerStatus: status.optional(),
  msg: z.string().optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  responseFalse: z.boolean().optional(),
  latencyMs: z.number().min(0).optional(),
  hang: z.boolean().optional(),
  destroy: z.boolean().optional(),
});

export const FailureRateSchema = z.number().min(0).max(1);

const ControlSchema = z.strictObject({
  faults: z.array(FaultRuleSchema).optional(),
  failureRate: FailureRateSchema.optional(),
  clockOffsetMs: z.number().int().optional(),
});

export interface ControlUpdate {
  faults?: FaultRule[];
  failureRate?: number;
  clockOffsetMs?: number;
}

/** Parse the JSON body of POST /_sandbox/faults; the error string names each bad field. */
export function parseControlUpdate(body: string): { ok: true; update: ControlUpdate } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, error: 'body is not JSON' };
  }
  const result = ControlSchema.safeParse(json);
  if (!result.success) {
    return { ok: false, error: result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') };
  }
  return { ok: true, update: result.data as ControlUpdate };
}
