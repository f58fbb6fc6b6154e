import { z } from 'zod';

// The field rules the vendor's two payloads (notification and activity card) share, so both say the same
// thing for the same mistake.

/** A missing required field says so, rather than that `undefined` has the wrong type. */
export const requiredOr = (message: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message);

/** A non-blank string of at most `max` characters. */
export function text(max: number) {
  return z
    .string({ error: requiredOr('must be a string') })
    .refine((s) => s.trim().length > 0, 'must not be empty')
    .refine((s) => s.length <= max, `must be at most ${max} characters`);
}

/** An absolute http(s) URL of at most `max` characters. */
export function httpUrl(max: number) {
  return text(max).refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');
}
