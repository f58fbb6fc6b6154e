import { createHash } from 'node:crypto';

/** A value as the Open API signs and sends it. Absent values are signed as the empty string. */
export type WireValue = string | number | boolean | readonly string[] | null | undefined;

/** Fields never covered by the signature (spec: `sign` itself, and `fileData`, which sendNotify never has). */
const UNSIGNED_FIELDS = new Set(['sign', 'fileData']);

export function wireString(value: WireValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/**
 * The string that is hashed: every sent parameter but `sign`, plus `secret`, sorted by key in plain
 * code-unit order (Array#sort's default, like Java's TreeSet), concatenated as `key=value` with no separator.
 */
export function signingString(params: Readonly<Record<string, WireValue>>, secret: string): string {
  const entries: [string, string][] = [['secret', secret]];
  for (const key of Object.keys(params)) {
    if (UNSIGNED_FIELDS.has(key) || key === 'secret') continue;
    entries.push([key, wireString(params[key])]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = '';
  for (const [key, value] of entries) out += `${key}=${value}`;
  return out;
}

/** SHA-256 of the signing string's UTF-8 bytes, lowercase hex. The secret is only ever an input here. */
export function sign(params: Readonly<Record<string, WireValue>>, secret: string): string {
  return createHash('sha256').update(signingString(params, secret), 'utf8').digest('hex');
}
