import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compare a secret someone presented with the expected one in constant time, in content and in length:
 * both sides are hashed to 32 bytes first, because timingSafeEqual throws on (and so reveals) a length
 * mismatch. Used for the dashboard password and the API token.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
