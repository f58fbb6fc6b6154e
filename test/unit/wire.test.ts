import { describe, it, expect } from 'vitest';
import { NotificationSchema, type NotificationInput } from '../../src/neuxnet/notification.js';
import { SEND_NOTIFY_PATH, toWireParams } from '../../src/neuxnet/wire.js';

const APPID = 'app-1';
const NOW = 1_700_000_000_000;

const wire = (input: NotificationInput) => toWireParams(NotificationSchema.parse(input), APPID, NOW);

describe('toWireParams', () => {
  const cases: { name: string; input: NotificationInput; expected: Record<string, string> }[] = [
    {
      name: 'openIds, open a Mini App: defaults notifyType 1 and miniAppId = appid',
      input: { rulesType: 3, openIds: ['a', 'b', 'a'], title: 'T', text: 'B', navigateType: 1, language: 'en_US' },
      expected: {
        appid: APPID,
        timestamp: String(NOW),
        notifyType: '1',
        rulesType: '3',
        openIds: 'a,b',
        title: 'T',
        text: 'B',
        navigateType: '1',
        miniAppId: APPID,
        language: 'en_US',
      },
    },
    {
      name: 'an explicit miniAppId and link are kept',
      input: { openIds: ['a'], title: 'T', text: 'B', navigateType: '1', miniAppId: 'other-app', link: 'pages/x', language: 'zh_CN' },
      expected: {
        appid: APPID,
        timestamp: String(NOW),
        notifyType: '1',
        openIds: 'a',
        title: 'T',
        text: 'B',
        navigateType: '1',
        miniAppId: 'other-app',
        link: 'pages/x',
        language: 'zh_CN',
      },
    },
    {
      name: 'by phone, open a URL: no miniAppId, no language unless set',
      input: { rulesType: '2', countryCode: '+966', mobileNumber: '501234567', title: 'T', text: 'B', navigateType: 2, url: 'https://x.example/' },
      expected: {
        appid: APPID,
        timestamp: String(NOW),
        notifyType: '1',
        rulesType: '2',
        countryCode: '+966',
        mobileNumber: '501234567',
        title: 'T',
        text: 'B',
        navigateType: '2',
        url: 'https://x.example/',
      },
    },
    {
      name: 'everyone, notifyType given as "1"',
      input: { notifyType: '1', rulesType: '1', title: 'T', text: 'B', navigateType: '2', url: 'http://x.example/a?b=c', language: 'ar_SA' },
      expected: {
        appid: APPID,
        timestamp: String(NOW),
        notifyType: '1',
        rulesType: '1',
        title: 'T',
        text: 'B',
        navigateType: '2',
        url: 'http://x.example/a?b=c',
        language: 'ar_SA',
      },
    },
    {
      name: 'navigateType 2 with a caller-set miniAppId sends it as set',
      input: { openIds: ['a'], title: 'T', text: 'B', navigateType: '2', url: 'https://x.example/', miniAppId: 'm-1' },
      expected: {
        appid: APPID,
        timestamp: String(NOW),
        notifyType: '1',
        openIds: 'a',
        title: 'T',
        text: 'B',
        navigateType: '2',
        miniAppId: 'm-1',
        url: 'https://x.example/',
      },
    },
  ];

  it.each(cases)('$name', ({ input, expected }) => {
    const params = wire(input);
    expect(params).toStrictEqual(expected);
    expect(Object.values(params).every((v) => typeof v === 'string')).toBe(true);
  });

  it('never carries sign or secret: they are added (sign) or kept out (secret) at send time', () => {
    const params = wire({ openIds: ['a'], title: 'T', text: 'B', navigateType: '1', language: 'en_US' });
    expect(params).not.toHaveProperty('sign');
    expect(params).not.toHaveProperty('secret');
  });

  it('uses the timestamp it is given, so every attempt signs afresh', () => {
    const n = NotificationSchema.parse({ openIds: ['a'], title: 'T', text: 'B', navigateType: '2', url: 'https://x.example/' });
    expect(toWireParams(n, APPID, 1).timestamp).toBe('1');
    expect(toWireParams(n, APPID, 2).timestamp).toBe('2');
  });

  it('sends the default language when the notification names none, and the notification\'s own otherwise', () => {
    const bare = NotificationSchema.parse({ openIds: ['a'], title: 'T', text: 'B', navigateType: '2', url: 'https://x.example/' });
    expect(toWireParams(bare, APPID, NOW, 'ar_SA').language).toBe('ar_SA');
    expect(toWireParams(bare, APPID, NOW)).not.toHaveProperty('language');
    const own = NotificationSchema.parse({ openIds: ['a'], title: 'T', text: 'B', navigateType: '1', language: 'zh_CN' });
    expect(toWireParams(own, APPID, NOW, 'ar_SA').language).toBe('zh_CN');
  });

  it('posts to the documented path', () => {
    expect(SEND_NOTIFY_PATH).toBe('/neuopenapi/notify/sendNotify');
  });
});
