import { describe, expect, it } from 'vitest';
import { campaignDetailPage } from '../../src/dashboard/campaign-pages.js';
import { toCampaignStatus } from '../../src/shared/campaign-status.js';
import { toCampaignSeries } from '../../src/shared/campaign-series.js';

describe('the campaign page with quiet hours and pacing', () => {
  it('shows heldByQuietHours as a count, the window, the pace and the last due time, from the stored record', () => {
    const status = toCampaignStatus({
      id: 'night',
      spec: JSON.stringify({ title: 'Sale', quietHours: '22:00-08:00', throttle: 1000 }),
      total: '5000',
      jobs: '50',
      heldByQuietHours: '1234',
      createdAt: '1700000000000',
      firstSendAt: '1700000000000',
      lastSendAt: '1700000300000',
    });
    expect(status).toMatchObject({ heldByQuietHours: 1234, quietHours: '22:00-08:00', throttle: 1000, expectedFinishAt: new Date(1700000300000).toISOString() });
    const page = campaignDetailPage({ status: status!, series: toCampaignSeries({}), deadLetters: [] }, { readOnly: true });
    expect(page).toContain('held by quiet hours');
    expect(page).toContain('1,234');
    expect(page).toContain('22:00-08:00');
    expect(page).toContain('1,000 recipients a minute');
    expect(page).toContain('last due');
    // The rate is not shown as if it were a count of recipients.
    expect(page).not.toMatch(/<b>1,000<\/b><span>throttle/);
  });

  it('a campaign without them shows neither', () => {
    const status = toCampaignStatus({ id: 'plain', spec: JSON.stringify({ title: 'Sale' }), total: '1', createdAt: '1700000000000', lastSendAt: '1700000000000' });
    expect(status).not.toHaveProperty('heldByQuietHours');
    expect(status).not.toHaveProperty('expectedFinishAt');
    const page = campaignDetailPage({ status: status!, series: toCampaignSeries({}), deadLetters: [] }, { readOnly: true });
    expect(page).not.toContain('quiet hours');
    expect(page).not.toContain('last due');
  });
});
