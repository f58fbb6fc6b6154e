import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { sign, signingString, wireString, type WireValue } from '../../src/neuxnet/sign.js';
import { NotificationSchema, type NotificationInput } from '../../src/neuxnet/notification.js';
import { toWireParams } from '../../src/neuxnet/wire.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('spec test vectors', () => {
  it('vector 1: signing string and hash', () => {
    const params = {
      appid: 'demo-appid',
      code: 'abc123',
      grantType: 'authorization_code',
      scope: 'user.info',
      timestamp: 1700000000000,
    };
    expect(signingString(params, 'demo-secret')).toBe(
      'appid=demo-appidcode=abc123grantType=authorization_codescope=user.infosecret=demo-secrettimestamp=1700000000000',
    );
    expect(sign(params, 'demo-secret')).toBe('964bd40923c2f8911560c18cb06f580d3d26436378c11edff3f0691e4db00242');
  });

  const VECTOR_2_HASH = '944236acec78bbcb4de54abda027a5174a8e3c3f55539da247287d51eaaba6b2';
  const VECTOR_2_APPID = '6364a1ec8754dd1a55d6b8de';
  const vector2: NotificationInput = {
    notifyType: 1,
    rulesType: '3',
    openIds: ['2ace75812f4004a53859f0fbabc1c7a5', '19d3c6832e63392331ff6dfe7b0d0f7b'],
    title: 'Hello World',
    text: 'This is a test push notification',
    navigateType: '1',
    miniAppId: VECTOR_2_APPID,
    link: 'pages/orders/detail?id=1042',
    language: 'en_US',
  };

  it('vector 2: the literal parameters', () => {
    const params: Record<string, WireValue> = {
      appid: VECTOR_2_APPID,
      timestamp: 1700000000000,
      notifyType: 1,
      rulesType: '3',
      openIds: ['2ace75812f4004a53859f0fbabc1c7a5', '19d3c6832e63392331ff6dfe7b0d0f7b'],
      title: 'Hello World',
      text: 'This is a test push notification',
      navigateType: '1',
      miniAppId: VECTOR_2_APPID,
      link: 'pages/orders/detail?id=1042',
      language: 'en_US',
    };
    expect(sign(params, 'demo-secret')).toBe(VECTOR_2_HASH);
  });

  it('vector 2: validated notification -> toWireParams -> sign', () => {
    const n = NotificationSchema.parse(vector2);
    const wire = toWireParams(n, VECTOR_2_APPID, 1700000000000);
    expect(Object.keys(wire).sort()).toEqual(
      ['appid', 'link', 'language', 'miniAppId', 'navigateType', 'notifyType', 'openIds', 'rulesType', 'text', 'timestamp', 'title'].sort(),
    );
    expect(sign(wire, 'demo-secret')).toBe(VECTOR_2_HASH);
  });

  it('vector 2: the same hash when notifyType and miniAppId come from the wire defaults', () => {
    const { notifyType: _n, miniAppId: _m, ...withoutDefaults } = vector2;
    const wire = toWireParams(NotificationSchema.parse(withoutDefaults), VECTOR_2_APPID, 1700000000000);
    expect(sign(wire, 'demo-secret')).toBe(VECTOR_2_HASH);
  });

  it('vector 3: phone, Arabic text, secret with form metacharacters', () => {
    const input: NotificationInput = {
      notifyType: 1,
      rulesType: '2',
      countryCode: '+966',
      mobileNumber: '123456789',
      title: 'تنبيه',
      text: 'خصم ٢٠٪ اليوم فقط — افتح التطبيق',
      navigateType: '2',
      url: 'https://example.com/sale?x=1&y=2',
      language: 'ar_SA',
    };
    const wire = toWireParams(NotificationSchema.parse(input), 'rha41wzp08ms3x9', 1685608097842);
    expect(Object.keys(wire).sort()).toEqual(
      ['appid', 'countryCode', 'language', 'mobileNumber', 'navigateType', 'notifyType', 'rulesType', 'text', 'timestamp', 'title', 'url'].sort(),
    );
    expect(sign(wire, 's3cr3t/+=&')).toBe('326f5c03345b4da4b7018a30ba884a372385e7db96138fb4aee68cd9e57ff07b');
  });
});

describe('signingString', () => {
  it.each([
    { name: 'secret sorts before timestamp', params: { timestamp: 1, appid: 'a' }, expected: 'appid=asecret=Ztimestamp=1' },
    { name: 'secret sorts after keys below "s"', params: { rulesType: '3', appid: 'a' }, expected: 'appid=arulesType=3secret=Z' },
    { name: 'secret sorts first before later keys', params: { title: 't', text: 'x' }, expected: 'secret=Ztext=xtitle=t' },
    { name: 'code-unit order: uppercase before lowercase', params: { b: '1', B: '2', a: '3' }, expected: 'B=2a=3b=1secret=Z' },
    { name: 'sign and fileData are not signed', params: { appid: 'a', sign: 'old', fileData: 'f' }, expected: 'appid=asecret=Z' },
    { name: 'a secret in the params is ignored, the argument wins', params: { appid: 'a', secret: 'leak' }, expected: 'appid=asecret=Z' },
    { name: 'a list joins with ","', params: { openIds: ['x', 'y', 'z'] }, expected: 'openIds=x,y,zsecret=Z' },
    { name: 'null and undefined are the empty string', params: { a: null, b: undefined }, expected: 'a=b=secret=Z' },
    { name: 'numbers and booleans in plain form', params: { n: 42, t: true }, expected: 'n=42secret=Zt=true' },
    { name: 'no separator, values as is', params: { url: 'https://x/?a=1&b=2' }, expected: 'secret=Zurl=https://x/?a=1&b=2' },
  ] satisfies { name: string; params: Record<string, WireValue>; expected: string }[])('$name', ({ params, expected }) => {
    expect(signingString(params, 'Z')).toBe(expected);
  });

  it('sign is SHA-256 of the signing string, lowercase hex', () => {
    const params = { appid: 'a', title: 'مرحبا' };
    const signature = sign(params, 'Z');
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(signature).toBe(sha256(signingString(params, 'Z')));
  });

  it('a signature over the same fields ignores an existing sign', () => {
    const params = { appid: 'a', timestamp: 5 };
    expect(sign({ ...params, sign: sign(params, 'Z') }, 'Z')).toBe(sign(params, 'Z'));
  });
});

describe('wireString', () => {
  it.each([
    { value: 'abc', expected: 'abc' },
    { value: 1700000000000, expected: '1700000000000' },
    { value: false, expected: 'false' },
    { value: ['a'], expected: 'a' },
    { value: [], expected: '' },
    { value: null, expected: '' },
    { value: undefined, expected: '' },
  ] satisfies { value: WireValue; expected: string }[])('$value -> "$expected"', ({ value, expected }) => {
    expect(wireString(value)).toBe(expected);
  });
});
