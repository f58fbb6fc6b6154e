import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { createLogCapture } from '../helpers/log-capture.js';
import { waitUntil } from '../helpers/isolation.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n*** SKIPPING the console browser test: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does). ***\n`);
}

/** Set to rewrite docs/console-campaigns.png and docs/console-campaign.png (the README shows them). */
const UPDATE_SCREENSHOT = process.env.NEUPUSH_UPDATE_SCREENSHOT === '1';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
const NOTE = { title: 'Spring sale', text: 'Everything half price today', navigateType: '1', language: 'en_US' } as const;
const recipients = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`);

let pipeline: Pipeline;
let dashboard: Dashboard;
let readOnlyDashboard: Dashboard;
const profiles: string[] = [];

async function browser(withCredentials: boolean, width = 1280): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'neupush-chromium-'));
  profiles.push(profile);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: { width, height: width > 600 ? 900 : 800 },
    ...(withCredentials && { httpCredentials: { username: USER, password: PASSWORD } }),
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ fullPage: true });
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  if (UPDATE_SCREENSHOT) {
    await mkdir('docs', { recursive: true });
    await writeFile(join('docs', name), png);
  }
}

const dashboardFor = (readOnly: boolean) =>
  startDashboard({
    env: {},
    config: { ...pipeline.config, dashboardUser: USER, dashboardPassword: PASSWORD },
    port: 0,
    host: '127.0.0.1',
    readOnly,
    logger: createLogger({ destination: createLogCapture() }),
  });

describe.skipIf(!hasChromium)('campaign console in headless Chromium', () => {
  beforeAll(async () => {
    // 20 requests/s: the 3,000-recipient campaign (30 requests) takes about 1.5 s to deliver, long enough to watch.
    // Requests holding `spring7` are refused twice (one chunk is dead-lettered; its redrive then goes through).
    pipeline = await startPipeline({
      config: { rateLimit: 20, concurrency: 5 },
      sandbox: { faults: [{ match: { openId: 'spring7' }, headerStatus: 400, msg: 'bad parameters', times: 1 }] },
    });
    await pipeline.producer.upsertSchedule('monday-digest', { cron: '0 9 * * 1', timezone: 'Asia/Riyadh' }, { ...NOTE, title: 'Monday digest', openIds: ['digest-1'] });
    await pipeline.producer.createCampaign({ id: 'later', notification: { ...NOTE, title: 'Next week' }, recipients: recipients(500, 'later'), sendAt: new Date(Date.now() + 7 * 86_400_000) });
    dashboard = await dashboardFor(false);
    readOnlyDashboard = await dashboardFor(true);
  });

  afterAll(async () => {
    await dashboard?.close();
    await readOnlyDashboard?.close();
    await pipeline?.close();
    await Promise.all(profiles.map((p) => rm(p, { recursive: true, force: true })));
  });

  it('shows a campaign being delivered, refreshing in place, with its chart, failures and dead letters', async () => {
    await pipeline.producer.createCampaign({ id: 'spring', notification: NOTE, recipients: recipients(3_000, 'spring') });
    const context = await browser(true);
    try {
      const page = await context.newPage();
      const list = await page.goto(`${dashboard.url}campaigns`);
      expect(list?.status()).toBe(200);
      await page.getByRole('link', { name: 'spring', exact: true }).waitFor();
      await page.getByRole('link', { name: 'later', exact: true }).waitFor();

      const detail = await page.goto(`${dashboard.url}campaigns/spring`);
      expect(detail?.status()).toBe(200);
      // A marker survives only if the page is never reloaded while its live parts change.
      await page.evaluate('window.notReloaded = true');
      await page.locator('#campaign-head .state.completed_with_failures').waitFor({ timeout: 30_000 });
      await page.locator('#campaign-failures').getByText('bad parameters').first().waitFor({ timeout: 15_000 });
      await page.waitForFunction("Number(document.getElementById('chart')?.getAttribute('data-points') ?? 0) > 0", undefined, { timeout: 15_000 });
      expect(await page.evaluate('window.notReloaded')).toBe(true);
      // uPlot's data: x (minutes), recipients delivered, recipients failed, requests delivered, requests failed.
      const data = (await page.evaluate('window.neupushChart.data')) as number[][];
      const total = (column: number[] | undefined) => (column ?? []).reduce((a, b) => a + b, 0);
      const chart = { points: data[0]?.length ?? 0, delivered: total(data[1]), failed: total(data[2]) };
      expect(chart.points).toBeGreaterThan(0);
      expect(chart).toMatchObject({ delivered: 2_900, failed: 100 });
      const text = await page.locator('main').innerText();
      expect(text).toContain('rejected');
      expect(text).toMatch(/p99\s*≤/);
      expect(text).not.toContain(pipeline.secret);
      // Links into Bull Board's job views.
      const entry = page.locator('#campaign-failures a[href^="/queue/dead-letters/"]').first();
      expect(await entry.getAttribute('href')).toMatch(/^\/queue\/dead-letters\/c-spring\./);
      await screenshot(page, 'console-campaign.png');

      await page.goto(`${dashboard.url}campaigns`);
      await page.locator('.state.completed_with_failures').first().waitFor();
      await screenshot(page, 'console-campaigns.png');

      // Readable on a phone: nothing wider than the screen but the scrolling tables.
      const phone = await browser(true, 390);
      try {
        const small = await phone.newPage();
        await small.goto(`${dashboard.url}campaigns/spring`);
        const overflow = (await small.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        expect(overflow).toBeLessThanOrEqual(0);
      } finally {
        await phone.close();
      }
    } finally {
      await context.close();
    }
  });

  it('redrives a dead-letter group and shows schedules with their next firing', async () => {
    const context = await browser(true);
    try {
      const page = await context.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(`${dashboard.url}dead-letters`);
      const group = page.locator('#dead-letter-groups tr', { hasText: 'spring' });
      await group.getByText('bad parameters').waitFor();
      await group.getByRole('button', { name: /Redrive 1/ }).click();
      await waitUntil(async () => (await pipeline.producer.getCampaign('spring'))?.state === 'completed', { timeoutMs: 20_000, message: 'the redrive to deliver' });
      await page.goto(`${dashboard.url}dead-letters`);
      await page.getByText('No dead letters.').waitFor();

      await page.goto(`${dashboard.url}schedules`);
      const row = page.locator('tr', { hasText: 'monday-digest' });
      expect(await row.locator('time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT06:00:00/);
    } finally {
      await context.close();
    }
  });

  it('cancels after a confirmation, and the read-only console refuses to', async () => {
    const context = await browser(true);
    try {
      const page = await context.newPage();
      await page.goto(`${readOnlyDashboard.url}campaigns/later`);
      expect(await page.getByRole('button', { name: 'Cancel campaign' }).count()).toBe(0);
      // Around the hidden button: the server refuses the post itself.
      const status = await page.evaluate(async () => (await fetch('/campaigns/later/cancel', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=x' })).status);
      expect(status).toBe(403);
      expect((await pipeline.producer.getCampaign('later'))?.state).toBe('scheduled');

      await page.goto(`${dashboard.url}campaigns/later`);
      let asked = '';
      page.once('dialog', (dialog) => {
        asked = dialog.message();
        void dialog.dismiss();
      });
      await page.getByRole('button', { name: 'Cancel campaign' }).click();
      expect(asked).toContain('Cancel campaign later?');
      expect((await pipeline.producer.getCampaign('later'))?.state).toBe('scheduled');

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Cancel campaign' }).click();
      await page.locator('#campaign-head .state.cancelled').waitFor({ timeout: 20_000 });
      expect(await pipeline.producer.getCampaign('later')).toMatchObject({ state: 'cancelled', cancelled: 500 });
    } finally {
      await context.close();
    }
  });

  it('answers 401 on every console route without credentials', async () => {
    const routes: [string, string][] = [
      ['GET', 'campaigns'],
      ['GET', 'campaigns/spring'],
      ['GET', 'campaigns/spring/series.json'],
      ['POST', 'campaigns/spring/cancel'],
      ['GET', 'schedules'],
      ['GET', 'dead-letters'],
      ['POST', 'dead-letters/redrive'],
      ['GET', 'console/assets/console.js'],
      ['GET', 'console/assets/console.css'],
      ['GET', 'console/assets/uplot/uPlot.iife.min.js'],
      ['GET', 'console/assets/uplot/uPlot.min.css'],
    ];
    for (const [method, path] of routes) {
      const response = await fetch(`${dashboard.url}${path}`, { method, redirect: 'manual' });
      expect(response.status, `${method} /${path}`).toBe(401);
    }
    const context = await browser(false);
    try {
      const page = await context.newPage();
      await expect(page.goto(`${dashboard.url}campaigns`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    } finally {
      await context.close();
    }
  });
});
