import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CampaignNotFoundError, cancelCampaign } from '../shared/campaign-cancel.js';
import { campaignProgress } from '../shared/campaign-progress.js';
import { getCampaignSeries, type CampaignSeries } from '../shared/campaign-series.js';
import { getCampaign, listCampaigns } from '../shared/campaign-status.js';
import type { Config } from '../shared/config.js';
import { listDeadLetters, redriveDeadLetters } from '../shared/dead-letters.js';
import { ID_PATTERN, ID_RULE } from '../shared/ids.js';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '../shared/job-data.js';
import type { Logger } from '../shared/logger.js';
import type { DeadLetterQueue, DeliveryQueue, ScheduleQueue } from '../shared/queues.js';
import type { RedisConnection } from '../shared/redis.js';
import { listSchedules } from '../shared/schedule-list.js';
import { parseBasicAuth } from './basic-auth.js';
import { campaignDetailPage, campaignListPage, type PageContext } from './campaign-pages.js';
import { registerConsoleAssets } from './console-assets.js';
import { esc } from './console-html.js';
import { createCsrf } from './csrf.js';
import { deadLettersPage, schedulesPage } from './dead-letter-pages.js';
import { acceptFormPosts } from './form-body.js';

export interface ConsoleDeps {
  config: Readonly<Config>;
  redis: RedisConnection;
  deliveries: DeliveryQueue;
  deadLetters: DeadLetterQueue;
  schedules: ScheduleQueue;
  readOnly: boolean;
  logger: Logger;
}

const CAMPAIGN_LIMIT = 500;
const DEAD_LETTER_LIMIT = 10_000;
const PACE_MINUTES = 5;

/** When the pending recipients would be done at the pace of the last few minutes of the series. */
function expectedFinish(series: CampaignSeries, pending: number, now: number): string | undefined {
  const since = Math.floor(now / 60_000) * 60_000 - PACE_MINUTES * 60_000;
  const recent = series.points.filter((p) => p.minute >= since);
  const done = recent.reduce((a, p) => a + p.sentRecipients + p.failedRecipients, 0);
  if (pending === 0 || done === 0 || recent.length === 0) return undefined;
  const perMs = done / (now - Math.max(since, recent[0]?.minute ?? since));
  return new Date(now + pending / perMs).toISOString();
}

class BadForm extends Error {}

function field(body: unknown, name: string): string {
  const value = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/**
 * The campaign console beside Bull Board: /campaigns, /campaigns/:id (+ series.json and cancel), /schedules,
 * /dead-letters (+ redrive). Reads go through src/shared; the forms carry a CSRF token. Authentication,
 * read-only refusals and the cross-site checks are the server's onRequest hook, which runs first.
 */
export async function registerConsole(root: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  // Its own fastify context, so the form parser and the error handler leave Bull Board's routes alone.
  await root.register(async (app) => routes(app, deps));
}

function routes(app: FastifyInstance, deps: ConsoleDeps): void {
  const { config, redis, readOnly, logger } = deps;
  const csrf = createCsrf();
  // The signed-in user (or '' when running --insecure) is what a token is bound to.
  const userOf = (request: FastifyRequest) => parseBasicAuth(request.headers.authorization)?.user ?? '';
  const ctxOf = (request: FastifyRequest): PageContext => (readOnly ? { readOnly } : { readOnly, csrfField: csrf.hiddenField(userOf(request)) });
  const sendHtml = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  const checkCampaignId = (id: string) => {
    if (!ID_PATTERN.test(id)) throw new BadForm(`campaign id: ${ID_RULE}`);
  };

  acceptFormPosts(app);
  registerConsoleAssets(app);
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof BadForm) return reply.code(400).send({ error: error.message });
    if (error instanceof CampaignNotFoundError) return reply.code(404).send({ error: error.message });
    const status = (error as { statusCode?: unknown }).statusCode;
    // fastify's own (a body too large, a content type it cannot parse) say what was wrong.
    if (typeof status === 'number' && status < 500) return reply.code(status).send({ error: (error as Error).message });
    logger.error({ err: error, url: request.url }, 'console request failed');
    return reply.code(500).send({ error: 'internal error' });
  });
  const guarded = { preHandler: csrf.preHandler(userOf) };

  app.get('/campaigns', async (request, reply) => sendHtml(reply, campaignListPage(await listCampaigns(redis, config.prefix, { limit: CAMPAIGN_LIMIT }), ctxOf(request))));

  app.get<{ Params: { id: string } }>('/campaigns/:id', async (request, reply) => {
    const { id } = request.params;
    checkCampaignId(id);
    const status = await getCampaign(redis, config.prefix, id);
    if (!status) return sendHtml(reply.code(404), `<p>No campaign with id ${esc(id)}. <a href="/campaigns">All campaigns</a></p>`);
    const [progress, series, deadLetters] = await Promise.all([
      campaignProgress(redis, { deliveries: deps.deliveries, deadLetters: deps.deadLetters }, config.prefix, status),
      getCampaignSeries(redis, config.prefix, id),
      status.failed > 0 ? listDeadLetters(deps.deadLetters, { campaignId: id, limit: DEAD_LETTER_LIMIT }) : Promise.resolve([]),
    ]);
    const finish = status.state === 'sending' ? expectedFinish(series, status.pending, Date.now()) : undefined;
    const detail = { status: { ...status, ...progress }, series, deadLetters, ...(finish && { expectedFinish: finish }) };
    return sendHtml(reply, campaignDetailPage(detail, ctxOf(request)));
  });

  app.get<{ Params: { id: string } }>('/campaigns/:id/series.json', async (request, reply) => {
    checkCampaignId(request.params.id);
    return reply.header('cache-control', 'no-store').send(await getCampaignSeries(redis, config.prefix, request.params.id));
  });

  app.post<{ Params: { id: string } }>('/campaigns/:id/cancel', guarded, async (request, reply) => {
    const { id } = request.params;
    checkCampaignId(id);
    const result = await cancelCampaign({ config, redis, deliveries: deps.deliveries }, id);
    logger.info({ campaignId: id, stopped: result.stopped, user: userOf(request) }, 'campaign cancelled from the console');
    return reply.redirect(`/campaigns/${encodeURIComponent(id)}`, 303);
  });

  app.get('/schedules', async (request, reply) => sendHtml(reply, schedulesPage(await listSchedules(deps.schedules), ctxOf(request))));

  app.get('/dead-letters', async (request, reply) => {
    const entries = await listDeadLetters(deps.deadLetters, { limit: DEAD_LETTER_LIMIT });
    const ctx = ctxOf(request);
    return sendHtml(reply, deadLettersPage(entries, { ...ctx, truncated: entries.length >= DEAD_LETTER_LIMIT }));
  });

  app.post('/dead-letters/redrive', guarded, async (request, reply) => {
    const reason = field(request.body, 'reason');
    const campaign = field(request.body, 'campaign');
    const back = field(request.body, 'back');
    if (!DEAD_LETTER_REASONS.includes(reason as DeadLetterReason)) throw new BadForm(`reason: must be one of ${DEAD_LETTER_REASONS.join(', ')}`);
    if (campaign !== '') checkCampaignId(campaign);
    const matches = await listDeadLetters(deps.deadLetters, {
      reason: reason as DeadLetterReason,
      limit: DEAD_LETTER_LIMIT,
      ...(campaign !== '' && { campaignId: campaign }),
    });
    const ids = matches.filter((e) => (e.campaignId ?? '') === campaign).map((e) => e.id);
    const result = await redriveDeadLetters(deps.deadLetters, deps.deliveries, config, ids, Date.now());
    logger.info({ reason, campaignId: campaign || undefined, redriven: result.redriven, skipped: result.skipped.length }, 'dead letters redriven from the console');
    // Only back to a console page of ours: the field comes from the browser.
    const target = back === '/dead-letters' || (back.startsWith('/campaigns/') && ID_PATTERN.test(back.slice('/campaigns/'.length))) ? back : '/dead-letters';
    return reply.redirect(target, 303);
  });
}
