import { safeEqual } from '../../shared/safe-equal.js';

export type BearerCheck = 'ok' | 'missing' | 'wrong';

/**
 * `Authorization: Bearer <token>` against the configured token: 'missing' (absent or not a bearer
 * header: 401) or 'wrong' (403). The comparison is constant-time in content and length.
 */
export function checkBearer(header: string | undefined, token: string): BearerCheck {
  const match = /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header ?? '');
  if (!match) return 'missing';
  return safeEqual(match[1] as string, token) ? 'ok' : 'wrong';
}
