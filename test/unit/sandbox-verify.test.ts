import { describe, it, expect } from 'vitest';
import { sign } from '../../src/neuxnet/sign.js';
import { parseControlUpdate } from '../../src/sandbox/control.js';
import { matchesRule, planFault, takeFault, type FaultRule } from '../../src/sandbox/faults.js';
import { verifyRequest } from '../../src/sandbox/verify.js';

const APPID = '6364a1ec8754dd1a55d6b8de';
const SECRET = 'demo-secret';
const NOW = 1_700_000_000_000;
const ctx = { appid: APPID, secret: SECRET, now: NOW };

/** Spec test vector 2, as form fields. */
const VECTOR_2: Record<string, string> = {
  appid: APPID,
  timestamp: String(NOW),
  notifyType: '1',
  rulesType: '3',
  openIds: '2ace75812f4004a53859f0fbabc1c7a5,19d3c6832e63392331ff6dfe7b0d0f7b',
  title: 'Hello World',
  text: 'This is a test push notification',
  navigateType: '1',
  miniAppId: APPID,
  link: 'pages/orders/detail?id=1042',
  language: 'en_US',
};

/** Sign after applying changes (undefined deletes a field), as a correct client would. */
function signed(changes: Record<string, string | undefined> = {}, secret = SECRET): Record<string, string> {
  const params: Record<string, string> = { ...VECTOR_2 };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return { ...params, sign: sign(params, secret) };
}

describe('verifyRequest', () => {
  it('accepts spec vector 2 with its published signature', () => {
    const params = { ...VECTOR_2, sign: '944236acec78bbcb4de54abda027a5174a8e3c3f55539da247287d51eaaba6b2' };
    expect(verifyRequest(params, ctx)).toEqual({
      ok: true,
      openIds: ['2ace75812f4004a53859f0fbabc1c7a5', '19d3c6832e63392331ff6dfe7b0d0f7b'],
    });
  });

  it('accepts a by-phone URL notification and one to everyone', () => {
    const phone = signed({
      rulesType: '2',
      openIds: undefined,
      countryCode: '+966',
      mobileNumber: '123456789',
      navigateType: '2',
      miniAppId: undefined,
      url: 'https://example.com/sale?x=1&y=2',
    });
    expect(verifyRequest(phone, ctx)).toEqual({ ok: true, openIds: [] });
    expect(verifyRequest(signed({ rulesType: '1', openIds: undefined }), ctx)).toEqual({ ok: true, openIds: [] });
  });

  it('accepts a timestamp just inside the window on either side', () => {
    expect(verifyRequest(signed({ timestamp: String(NOW - 300_000) }), ctx).ok).toBe(true);
    expect(verifyRequest(signed({ timestamp: String(NOW + 300_000) }), ctx).ok).toBe(true);
  });

  const rejections: { name: string; params: Record<string, string>; status: 400 | 401; msg: RegExp }[] = [
    { name: 'secret in the body', params: { ...signed(), secret: SECRET }, status: 400, msg: /secret.*leaked/ },
    { name: 'missing title', params: signed({ title: undefined }), status: 400, msg: /missing required field\(s\): title/ },
    {
      name: 'missing several',
      params: signed({ appid: undefined, navigateType: undefined }),
      status: 400,
      msg: /missing required field\(s\): appid, navigateType/,
    },
    { name: 'missing sign', params: { ...VECTOR_2 }, status: 400, msg: /sign/ },
    { name: 'empty text', params: signed({ text: '' }), status: 400, msg: /text/ },
    { name: 'other appid', params: signed({ appid: 'someone-else' }), status: 401, msg: /appid/ },
    { name: 'non-integer timestamp', params: signed({ timestamp: '1700000000000.5' }), status: 401, msg: /timestamp.*not an integer/ },
    {
      name: 'timestamp 5 min + 1 ms behind',
      params: signed({ timestamp: String(NOW - 300_001) }),
      status: 401,
      msg: /timestamp outside the 5-minute window.*behind/,
    },
    {
      name: 'timestamp 10 min ahead',
      params: signed({ timestamp: String(NOW + 600_000) }),
      status: 401,
      msg: /timestamp outside the 5-minute window.*ahead/,
    },
    { name: 'wrong secret', params: signed({}, 'not-the-secret'), status: 401, msg: /signature mismatch/ },
    { name: 'field changed after signing', params: { ...signed(), title: 'Tampered' }, status: 401, msg: /signature mismatch/ },
    { name: 'navigateType 1 without language', params: signed({ language: undefined }), status: 400, msg: /language.*navigateType is 1/ },
    { name: 'navigateType 1 without miniAppId', params: signed({ miniAppId: undefined }), status: 400, msg: /miniAppId.*navigateType is 1/ },
    { name: 'navigateType 2 without url', params: signed({ navigateType: '2' }), status: 400, msg: /url.*navigateType is 2/ },
    { name: 'unknown navigateType', params: signed({ navigateType: '3' }), status: 400, msg: /navigateType "3"/ },
    {
      name: 'rulesType 2 without mobileNumber',
      params: signed({ rulesType: '2', openIds: undefined, countryCode: '+966' }),
      status: 400,
      msg: /countryCode and mobileNumber.*rulesType is 2/,
    },
    { name: 'rulesType 3 without openIds', params: signed({ openIds: undefined }), status: 400, msg: /openIds.*rulesType is 3/ },
    {
      name: 'rulesType absent without openIds',
      params: signed({ rulesType: undefined, openIds: undefined }),
      status: 400,
      msg: /openIds.*rulesType is absent/,
    },
    { name: 'unknown rulesType', params: signed({ rulesType: '4' }), status: 400, msg: /rulesType "4"/ },
  ];

  it.each(rejections)('rejects $name', ({ params, status, msg }) => {
    const verdict = verifyRequest(params, ctx);
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.status).toBe(status);
    expect(verdict.msg).toMatch(msg);
  });

  it('never echoes the secret or the expected signature', () => {
    const verdict = verifyRequest(signed({}, 'not-the-secret'), ctx);
    expect(JSON.stringify(verdict)).not.toContain(SECRET);
    expect(JSON.stringify(verdict)).not.toContain(sign(VECTOR_2, SECRET));
  });
});

describe('matchesRule', () => {
  const fields = { title: 'Sale', openIds: 'a,bb,c' };
  it.each<[string, FaultRule, boolean]>([
    ['no match clause', {}, true],
    ['same title', { match: { title: 'Sale' } }, true],
    ['other title', { match: { title: 'Other' } }, false],
    ['openId in the list', { match: { openId: 'bb' } }, true],
    ['openId only a substring of one', { match: { openId: 'b' } }, false],
    ['both must hold', { match: { title: 'Sale', openId: 'x' } }, false],
    ['both hold', { match: { title: 'Sale', openId: 'c' } }, true],
  ])('%s', (_name, rule, expected) => {
    expect(matchesRule(rule, fields)).toBe(expected);
  });

  it('an openId rule does not match a request without openIds', () => {
    expect(matchesRule({ match: { openId: 'a' } }, { title: 'Sale' })).toBe(false);
  });
});

describe('takeFault', () => {
  it('returns the first matching rule and leaves unlimited rules in place (same array)', () => {
    const rules: FaultRule[] = [{ match: { title: 'x' }, httpStatus: 500 }, { httpStatus: 502 }, { httpStatus: 503 }];
    const taken = takeFault(rules, { title: 'y' });
    expect(taken.rule).toBe(rules[1]);
    expect(taken.rules).toBe(rules);
  });

  it('decrements times without mutating the caller’s rule, and drops exhausted rules', () => {
    const rule: FaultRule = { httpStatus: 503, times: 2 };
    const first = takeFault([rule], {});
    expect(first.rule).toBe(rule);
    expect(first.rules).toEqual([{ httpStatus: 503, times: 1 }]);
    expect(rule.times).toBe(2);
    const second = takeFault(first.rules, {});
    expect(second.rule?.httpStatus).toBe(503);
    expect(second.rules).toEqual([]);
    expect(takeFault(second.rules, {}).rule).toBeUndefined();
  });

  it('an exhausted rule lets the next matching one fire', () => {
    let rules: readonly FaultRule[] = [{ httpStatus: 500, times: 1 }, { headerStatus: 429 }];
    const outcomes: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const taken = takeFault(rules, {});
      rules = taken.rules;
      outcomes.push(taken.rule?.httpStatus ?? taken.rule?.headerStatus);
    }
    expect(outcomes).toEqual([500, 429, 429]);
  });

  it('skips a rule given times: 0', () => {
    expect(takeFault([{ httpStatus: 500, times: 0 }], {}).rule).toBeUndefined();
  });
});

describe('planFault', () => {
  it.each<[string, FaultRule | undefined, boolean, Partial<ReturnType<typeof planFault>>]>([
    ['no rule, no failure', undefined, false, { delayMs: 0, action: { kind: 'none' } }],
    [
      'failureRate hit',
      undefined,
      true,
      { action: { kind: 'answer', httpStatus: 503, status: 503, msg: 'sandbox failureRate: service unavailable', response: false } },
    ],
    [
      'httpStatus with Retry-After',
      { httpStatus: 429, retryAfterSeconds: 7 },
      false,
      { action: { kind: 'answer', httpStatus: 429, status: 429, msg: 'sandbox fault: HTTP 429', response: false }, retryAfterSeconds: 7 },
    ],
    [
      'headerStatus with msg',
      { headerStatus: 400, msg: 'bad openIds' },
      false,
      { action: { kind: 'answer', httpStatus: 200, status: 400, msg: 'bad openIds', response: false } },
    ],
    ['responseFalse', { responseFalse: true }, false, { action: expect.objectContaining({ httpStatus: 200, status: 200, response: false }) }],
    ['latency only', { latencyMs: 50 }, false, { delayMs: 50, action: { kind: 'none' } }],
    ['latency then reset', { latencyMs: 50, destroy: true, httpStatus: 500 }, false, { delayMs: 50, action: { kind: 'destroy' } }],
    ['hang beats a status', { hang: true, headerStatus: 500 }, false, { action: { kind: 'hang' } }],
    ['a rule’s fault beats failureRate', { headerStatus: 401 }, true, { action: expect.objectContaining({ status: 401 }) }],
    ['latency-only rule still lets failureRate fire', { latencyMs: 5 }, true, { delayMs: 5, action: expect.objectContaining({ httpStatus: 503 }) }],
  ])('%s', (_name, rule, hit, expected) => {
    expect(planFault(rule, hit)).toMatchObject(expected);
  });

  it('adds the base latency to the rule’s', () => {
    expect(planFault({ latencyMs: 20 }, false, 30).delayMs).toBe(50);
    expect(planFault(undefined, false, 30).delayMs).toBe(30);
  });
});

describe('parseControlUpdate', () => {
  it('accepts faults, failureRate and clockOffsetMs', () => {
    const body = JSON.stringify({ faults: [{ match: { openId: 'a' }, httpStatus: 503, times: 2 }], failureRate: 0.5, clockOffsetMs: -1000 });
    expect(parseControlUpdate(body)).toEqual({
      ok: true,
      update: { faults: [{ match: { openId: 'a' }, httpStatus: 503, times: 2 }], failureRate: 0.5, clockOffsetMs: -1000 },
    });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['misspelt fault field', JSON.stringify({ faults: [{ httpStaus: 503 }] }), /faults\.0/],
    ['failureRate above 1', JSON.stringify({ failureRate: 2 }), /failureRate/],
    ['unknown top-level field', JSON.stringify({ fault: [] }), /fault/],
  ])('rejects %s, naming the problem', (_name, body, error) => {
    const parsed = parseControlUpdate(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});
