import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import { createLogCapture } from '../helpers/log-capture.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `\n*** SKIPPING the dashboard browser test: ${CHROMIUM} is missing. Install it with ` +
      '`apt-get install -y chromium` (.ci/run does) to run it. ***\n',
  );
}

/** Set to rewrite docs/dashboard.png from this run (the README shows it). */
const UPDATE_SCREENSHOT = process.env.NEUPUSH_UPDATE_SCREENSHOT === '1';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const USER = 'ops';
const PASSWORD = 'correct horse battery staple';

let pipeline: Pipeline;
let dashboard: Dashboard;
let deadLetterId: string;
const profiles: string[] = [];

async function browser(withCredentials: boolean): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), 'neupush-chromium-'));
  profiles.push(profile);
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
    ...(withCredentials && { httpCredentials: { username: USER, password: PASSWORD } }),
  });
}

describe.skipIf(!hasChromium)('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    // A real dead letter: the sandbox refuses this one (header status 400) and the worker dead-letters it.
    pipeline = await startPipeline({
      config: { metricsPort: 0 },
      sandbox: { faults: [{ match: { title: 'Refused' }, headerStatus: 400, msg: 'bad parameters' }] },
    });
    const refused = await pipeline.producer.send({ title: 'Refused', text: 'Body', navigateType: 1, language: 'en_US', openIds: ['u-1', 'u-2'] });
    await pipeline.producer.send({ title: 'Welcome', text: 'Hello', navigateType: 1, language: 'en_US', openIds: ['u-3'] });
    deadLetterId = `${refused.id}.0`;
    await pipeline.waitForDeadLetters(1);
    await pipeline.sandbox.waitFor((s) => s.accepted.length === 1);
    dashboard = await startDashboard({
      env: {},
      config: { ...pipeline.config, dashboardUser: USER, dashboardPassword: PASSWORD },
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ destination: createLogCapture() }),
    });
  });

  afterAll(async () => {
    await dashboard?.close();
    await pipeline?.close();
    await Promise.all(profiles.map((p) => rm(p, { recursive: true, force: true })));
  });

  it('with credentials shows both queues and the dead letter with its reason and error', async () => {
    const context = await browser(true);
    try {
      const page = await context.newPage();
      const home = await page.goto(dashboard.url);
      expect(home?.status()).toBe(200);
      await page.getByText('deliveries', { exact: true }).first().waitFor({ timeout: 15_000 });
      await page.getByText('dead-letters', { exact: true }).first().waitFor({ timeout: 15_000 });

      const queuePage = await page.goto(`${dashboard.url}queue/dead-letters?status=waiting`);
      expect(queuePage?.status()).toBe(200);
      // The job is named by its reason, and its data (lastError, the notification) is readable.
      await page.getByText('rejected', { exact: true }).first().waitFor({ timeout: 15_000 });
      await page.getByText(/bad parameters/).first().waitFor({ timeout: 15_000 });
      // The JSON viewer folds nested objects; unfold the notification to read it.
      await page.locator('[role=treeitem]:has(> span:text-is("notification:")) > [role=button]').first().click();
      await page.getByText('"Refused"').first().waitFor({ timeout: 15_000 });
      const text = await page.locator('body').innerText();
      expect(text).toContain('HTTP 200, status 400, bad parameters');
      expect(text).toContain(deadLetterId);
      expect(text).not.toContain(pipeline.secret);

      const png = await page.screenshot({ fullPage: false });
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      if (UPDATE_SCREENSHOT) {
        await mkdir('docs', { recursive: true });
        await writeFile(join('docs', 'dashboard.png'), png);
      }
    } finally {
      await context.close();
    }
  });

  it('without credentials gets 401 for the page, its JSON API and its static files', async () => {
    const context = await browser(false);
    try {
      const page = await context.newPage();
      const statuses = new Map<string, number>();
      page.on('response', (response) => statuses.set(response.url(), response.status()));
      for (const path of ['', 'queue/dead-letters', 'api/queues', 'static/favicon-32x32.png']) {
        const url = `${dashboard.url}${path}`;
        // Headless Chromium has no prompt to ask for credentials, so after the 401 the navigation fails.
        await expect(page.goto(url)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
        expect(statuses.get(url), path).toBe(401);
      }
    } finally {
      await context.close();
    }
  });
});
