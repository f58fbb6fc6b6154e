/** The notification and audience of campaign tests that run in two processes (the second one resumes). */
export const CAMPAIGN_NOTE = { title: 'Spring sale', text: 'Everything half price today', navigateType: '1', language: 'en_US' } as const;

/** `n` records, about one in ten repeating an earlier openId, some with a zone: the same on every call. */
export function* campaignAudience(n: number): Generator<string | { openId: string; timezone: string }> {
  for (let i = 0; i < n; i++) {
    const id = i % 10 === 9 ? `a${Math.floor(i / 2)}` : `a${i}`;
    yield i % 3 === 0 ? { openId: id, timezone: 'Asia/Riyadh' } : id;
  }
}
