import { afterEach, describe, expect, it } from 'vitest';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { settledCampaign } from '../helpers/campaign-audience.js';
import { ValidationError } from '../../src/shared/errors.js';

const NOTE = {
  title: 'Spring sale',
  text: 'Everything half price today',
  navigateType: '1',
  language: 'en_US',
  link: 'pages/sale',
  translations: {
    ar_SA: { title: 'تخفيضات الربيع', text: 'كل شيء بنصف السعر اليوم' },
    zh_CN: { title: '春季特卖', text: '今天全场半价', link: 'pages/sale?lang=zh' },
  },
} as const;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

describe('a campaign in several languages', () => {
  it("gives every openId exactly its language's content, once, and counts each language exactly", async () => {
    pipeline = await startPipeline({ config: { rateLimit: 100_000, chunkSize: 7, defaultLanguage: 'en_US' }, logLevel: 'warn' });
    const expected = new Map<string, { language: string; title: string; link: string }>();
    const recipients: { openId: string; language?: string }[] = [];
    for (let i = 0; i < 120; i++) {
      const openId = `u${i}`;
      // ar_SA and zh_CN have translations; a recipient naming none, or en_US, gets the notification's own.
      const named = [undefined, 'ar_SA', 'zh_CN', 'en_US'][i % 4];
      recipients.push({ openId, ...(named !== undefined && { language: named }) });
      const language = named ?? 'en_US';
      const content = language === 'en_US' ? NOTE : { ...NOTE, ...NOTE.translations[language as 'ar_SA' | 'zh_CN'] };
      expected.set(openId, { language, title: content.title, link: content.link });
    }
    // A repeat (here with another language) gets the notification once, in its first record's language.
    recipients.push({ openId: 'u1', language: 'zh_CN' });

    const created = await pipeline.producer.createCampaign({ id: 'bilingual', notification: NOTE, recipients });
    expect(created).toMatchObject({ recipients: 120, existing: false });
    const status = await settledCampaign(pipeline, 'bilingual');
    expect(status).toMatchObject({ state: 'completed', recipients: 120, sent: 120 });
    expect(status.byLanguage).toEqual({
      en_US: { recipients: 60, sent: 60, failed: 0, cancelled: 0, pending: 0 },
      ar_SA: { recipients: 30, sent: 30, failed: 0, cancelled: 0, pending: 0 },
      zh_CN: { recipients: 30, sent: 30, failed: 0, cancelled: 0, pending: 0 },
    });

    const seen = new Map<string, number>();
    for (const request of pipeline.sandbox.accepted) {
      // Chunks never mix languages, and every request names its language.
      const languages = new Set(request.openIds.map((id) => expected.get(id)?.language));
      expect(languages.size).toBe(1);
      expect(request.params.language).toBe([...languages][0]);
      for (const id of request.openIds) {
        const want = expected.get(id);
        expect(request.params.title, id).toBe(want?.title);
        expect(request.params.link, id).toBe(want?.link);
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(120);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('sends NEUXNET_DEFAULT_LANGUAGE with a notification that names no language, and counts recipients under it', async () => {
    pipeline = await startPipeline({ config: { rateLimit: 100_000, defaultLanguage: 'ar_SA' }, logLevel: 'warn' });
    const notification = { title: 'Sale', text: 'Half price', navigateType: '2', url: 'https://example.com/sale' } as const;
    await pipeline.producer.createCampaign({ id: 'no-language', notification, recipients: ['a', 'b', 'c'] });
    const status = await settledCampaign(pipeline, 'no-language');
    expect(status.byLanguage).toEqual({ ar_SA: { recipients: 3, sent: 3, failed: 0, cancelled: 0, pending: 0 } });
    expect(pipeline.sandbox.accepted.map((a) => a.params.language)).toEqual(['ar_SA']);
  });

  it('refuses an unknown language code, a broken translation and translations without a language, before anything is queued', async () => {
    pipeline = await startPipeline({ worker: false, logLevel: 'warn' });
    const refused = async (notification: unknown) => {
      const error = await pipeline!.producer
        .createCampaign({ id: 'refused', notification: notification as typeof NOTE, recipients: ['a'] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues;
    };
    expect(await refused({ ...NOTE, translations: { fr_FR: { title: 'Soldes', text: 'Tout à moitié prix' } } })).toEqual([
      { field: 'notification.translations.fr_FR', rule: 'is not a known language: must be one of en_US, ar_SA, zh_CN' },
    ]);
    expect(await refused({ ...NOTE, translations: { ar_SA: { title: ' ', text: 'x'.repeat(5_000) } } })).toEqual([
      { field: 'notification.translations.ar_SA.title', rule: 'must not be empty' },
      { field: 'notification.translations.ar_SA.text', rule: 'must be at most 4096 characters' },
    ]);
    expect(await refused({ ...NOTE, translations: { ar_SA: { title: 'T', text: 'B', url: 'https://example.com/' } } })).toEqual([
      { field: 'notification.translations.ar_SA.url', rule: 'is only allowed when navigateType is 2' },
    ]);
    const { language: _l, ...withoutLanguage } = NOTE;
    const issues = await refused({ ...withoutLanguage, navigateType: '2', url: 'https://example.com/' });
    expect(issues).toContainEqual({ field: 'notification.language', rule: 'is required with translations: it names the language of title and text' });
    expect(await pipeline.producer.getCampaign('refused')).toBeUndefined();
    // BullMQ writes each queue's own `meta` key when the queue opens; nothing else may exist.
    expect((await pipeline.redis.keys(`${pipeline.prefix}:*`)).filter((k) => !k.endsWith(':meta'))).toEqual([]);
  });
});
