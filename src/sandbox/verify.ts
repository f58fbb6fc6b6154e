import { PLATFORM_TIMESTAMP_WINDOW_MS } from '../neuxnet/clock-skew.js';
import { sign } from '../neuxnet/sign.js';

export const REQUIRED_FIELDS = ['appid', 'timestamp', 'sign', 'notifyType', 'title', 'text', 'navigateType'] as const;

export interface VerifyContext {
  appid: string;
  secret: string;
  /** The sandbox's clock, ms since epoch. */
  now: number;
}

export type Verdict =
  | { ok: true; openIds: string[] }
  /** `status` goes into responseHeader.status: 401 for credential problems (appid, timestamp, signature), else 400. */
  | { ok: false; status: 400 | 401; msg: string };

export const reject = (status: 400 | 401, msg: string): Verdict => ({ ok: false, status, msg });

/** Empty values count as absent: the client must leave unset optional fields out entirely. */
export function has(params: Readonly<Record<string, string>>, key: string): boolean {
  const value = params[key];
  return value !== undefined && value !== '';
}

/**
 * What every Open API request must pass, strictest first: no leaked secret, the required fields present,
 * the appid, the timestamp window, the signature. Undefined when it passes.
 */
export function verifyCredentials(params: Readonly<Record<string, string>>, ctx: VerifyContext, required: readonly string[]): Verdict | undefined {
  // The vendor's own Java sample leaks the secret into the body; the spec forbids repeating that.
  if (Object.hasOwn(params, 'secret')) return reject(400, 'a field named "secret" was sent in the body: the secret leaked (it must only be hashed into sign)');

  const missing = required.filter((k) => !has(params, k));
  if (missing.length > 0) return reject(400, `missing required field(s): ${missing.join(', ')}`);

  if (params.appid !== ctx.appid) return reject(401, `unknown appid "${params.appid}"`);

  const timestamp = params.timestamp as string;
  if (!/^-?\d+$/.test(timestamp)) return reject(401, `timestamp "${timestamp}" is not an integer (ms since epoch)`);
  const skewMs = Number(timestamp) - ctx.now;
  if (Math.abs(skewMs) > PLATFORM_TIMESTAMP_WINDOW_MS) {
    const direction = skewMs > 0 ? 'ahead of' : 'behind';
    return reject(401, `timestamp outside the ${PLATFORM_TIMESTAMP_WINDOW_MS / 60_000}-minute window (${Math.round(Math.abs(skewMs) / 1000)} s ${direction} the platform clock)`);
  }

  const { sign: received, ...signed } = params;
  if (received !== sign(signed, ctx.secret)) return reject(401, 'signature mismatch');
  return undefined;
}

/**
 * Judge one decoded sendNotify body the way the platform would, strictest first. The msg names the
 * problem so a failing test says what the client got wrong.
 */
export function verifyRequest(params: Readonly<Record<string, string>>, ctx: VerifyContext): Verdict {
  const failed = verifyCredentials(params, ctx, REQUIRED_FIELDS);
  if (failed) return failed;

  const navigateType = params.navigateType;
  if (navigateType === '1') {
    if (!has(params, 'language')) return reject(400, 'language is required when navigateType is 1');
    if (!has(params, 'miniAppId')) return reject(400, 'miniAppId is required when navigateType is 1');
  } else if (navigateType === '2') {
    if (!has(params, 'url')) return reject(400, 'url is required when navigateType is 2');
  } else {
    return reject(400, `navigateType "${navigateType}" is not 1 or 2`);
  }

  const rulesType = params.rulesType;
  if (rulesType === '2') {
    if (!has(params, 'countryCode') || !has(params, 'mobileNumber'))
      return reject(400, 'countryCode and mobileNumber are required when rulesType is 2');
  } else if (rulesType === '3' || rulesType === undefined) {
    if (!has(params, 'openIds')) return reject(400, `openIds is required when rulesType is ${rulesType ?? 'absent'}`);
  } else if (rulesType !== '1') {
    return reject(400, `rulesType "${rulesType}" is not 1, 2 or 3`);
  }

  return { ok: true, openIds: has(params, 'openIds') ? (params.openIds as string).split(',') : [] };
}
