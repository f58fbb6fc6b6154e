import type { CampaignSeries } from '../shared/campaign-series.js';
import type { CampaignStatus } from '../shared/campaign-status.js';
import type { DeadLetterEntry } from '../shared/dead-letters.js';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE } from '../shared/queue-names.js';
import { UPLOT_SCRIPT, UPLOT_STYLE } from './console-assets.js';
import { html, int, layout, progressBar, Raw, when } from './console-html.js';
import { groupDeadLetters } from './dead-letter-groups.js';
import { redriveForm } from './dead-letter-pages.js';

/** Form parts a page needs to render its buttons; `csrfField` is undefined in read-only mode (no buttons). */
export interface PageContext {
  readOnly: boolean;
  csrfField?: string;
}

// `throttle` is a rate, not a count: the send window shows it.
const KNOWN = new Set(['recipients', 'sent', 'failed', 'cancelled', 'pending', 'jobs', 'read', 'retrying', 'throttle']);
const ENDED = new Set(['completed', 'completed_with_failures', 'cancelled']);

/**
 * Counts the status carries beyond the ones every campaign has (capped, held by quiet hours, by language,
 * as other features add them), read generically so new counters show without a console change.
 */
function extraCounts(status: CampaignStatus): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  for (const [key, value] of Object.entries(status)) {
    if (KNOWN.has(key) || key === 'failedByReason') continue;
    const label = key.replace(/([A-Z])/g, ' $1').toLowerCase();
    if (typeof value === 'number') out.push({ label, value: int(value) });
    else if (value !== null && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'number')) {
      const parts = Object.entries(value as Record<string, number>).map(([k, v]) => `${k} ${int(v)}`);
      if (parts.length > 0) out.push({ label, value: parts.join(', ') });
    }
  }
  return out;
}

const stateBadge = (state: string) => html`<span class="state ${state}">${state.replace(/_/g, ' ')}</span>`;
const campaignHref = (id: string) => `/campaigns/${encodeURIComponent(id)}`;

export function campaignListPage(campaigns: readonly CampaignStatus[], ctx: PageContext): string {
  const rows = campaigns.map((c) => {
    const extras = extraCounts(c).map((e) => html`<div class="muted">${e.label}: ${e.value}</div>`);
    return html`<tr>
      <td><a href="${campaignHref(c.id)}">${c.id}</a><div class="muted">${c.title}</div></td>
      <td>${stateBadge(c.state)}</td>
      <td>${progressBar({ ...c, total: c.recipients })}<div class="muted">${int(c.recipients)} recipients</div>${extras}</td>
      <td class="num">${int(c.sent)}</td><td class="num">${int(c.failed)}</td><td class="num">${int(c.cancelled)}</td><td class="num">${int(c.pending)}</td>
      <td class="hide-narrow">${when(c.createdAt)}</td><td class="hide-narrow">${when(c.firstSendAt)}<br>${when(c.lastSendAt)}</td>
    </tr>`;
  });
  const table =
    campaigns.length === 0
      ? html`<p class="muted">No campaigns (a finished campaign's record is kept for NEUPUSH_DEDUP_TTL).</p>`
      : html`<div class="scroll"><table><thead><tr><th>campaign</th><th>state</th><th>progress</th><th class="num">sent</th>
        <th class="num">failed</th><th class="num">cancelled</th><th class="num">pending</th><th class="hide-narrow">created</th>
        <th class="hide-narrow">first / last send</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  return layout({
    title: 'Campaigns',
    section: '/campaigns',
    readOnly: ctx.readOnly,
    body: html`<h1>Campaigns</h1><p class="muted">Their delivery jobs are <code>campaign-chunk</code> jobs in
      <a href="/queue/${DELIVERY_QUEUE}">${DELIVERY_QUEUE}</a>; what could not be sent is in <a href="/dead-letters">dead letters</a>.</p>
      <section id="campaign-list" data-live>${table}</section>`,
  });
}

export interface CampaignDetail {
  status: CampaignStatus;
  series: CampaignSeries;
  deadLetters: DeadLetterEntry[];
  /** When the pace of the last minutes would finish the pending recipients; absent when it cannot tell. */
  expectedFinish?: string;
}

const ms = (v: number | null | undefined) => (v === undefined ? '—' : v === null ? '> 1 h' : `≤ ${v < 1_000 ? `${v} ms` : `${v / 1_000} s`}`);

function sendWindow(d: CampaignDetail): Raw {
  const s = d.status;
  const row = (label: string, value: Raw | string | undefined) => (value === undefined ? html`` : html`<dt>${label}</dt><dd>${value}</dd>`);
  return html`<dl class="kv">${row('send at', s.sendAt ? when(s.sendAt) : 'at once')}${row('local time', s.localTime && `${s.localTime} (${s.timezone ?? s.defaultTimezone ?? 'per recipient'})`)}
    ${row('first send', when(s.firstSendAt))}${row('last send', when(s.lastSendAt))}${row('expires in', s.expiresIn)}
    ${row('quiet hours', s.quietHours && `${s.quietHours} (recipient's clock)`)}${row('pace', s.throttle === undefined ? undefined : `${int(s.throttle)} recipients a minute`)}
    ${row('last due', s.expectedFinishAt && html`${when(s.expectedFinishAt)} <span class="muted">(paced)</span>`)}
    ${row('created', when(s.createdAt))}${row('started', s.startedAt && when(s.startedAt))}
    ${row('expected finish', d.expectedFinish && html`${when(d.expectedFinish)} <span class="muted">(at the last minutes' pace)</span>`)}
    ${row('completed', s.completedAt && when(s.completedAt))}${row('cancelled', s.cancelledAt && when(s.cancelledAt))}</dl>`;
}

function failures(d: CampaignDetail, ctx: PageContext): Raw {
  const groups = groupDeadLetters(d.deadLetters);
  if (groups.length === 0) return html`<p class="muted">No dead letters.</p>`;
  const rows = groups.map(
    (g) => html`<tr><td>${g.reason}</td><td class="num">${int(g.entries)}</td><td class="num">${int(g.recipients)}</td>
      <td>${g.lastError}<div class="muted">${when(g.lastFailedAt)}</div></td>
      <td>${ctx.csrfField ? redriveForm(ctx.csrfField, g, campaignHref(d.status.id)) : ''}</td></tr>`,
  );
  const entries = d.deadLetters.slice(0, 50).map(
    (e) => html`<tr><td><a href="/queue/${DEAD_LETTER_QUEUE}/${encodeURIComponent(e.id)}">${e.id}</a></td><td>${e.reason}</td>
      <td class="num">${int(e.recipients)}</td><td class="num">${e.attempts}</td><td>${e.lastError}</td><td class="hide-narrow">${when(e.failedAt)}</td></tr>`,
  );
  return html`<div class="scroll"><table><thead><tr><th>reason</th><th class="num">requests</th><th class="num">recipients</th>
    <th>last error</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>
    <h2>Its dead letters${d.deadLetters.length > 50 ? ` (newest 50 of ${int(d.deadLetters.length)})` : ''}</h2>
    <div class="scroll"><table><thead><tr><th>entry (Bull Board)</th><th>reason</th><th class="num">recipients</th><th class="num">attempts</th>
    <th>last error</th><th class="hide-narrow">failed</th></tr></thead><tbody>${entries}</tbody></table></div>`;
}

export function campaignDetailPage(d: CampaignDetail, ctx: PageContext): string {
  const s = d.status;
  const stat = (label: string, value: string) => html`<div class="stat"><b>${value}</b><span>${label}</span></div>`;
  const stats = [
    stat('recipients', int(s.recipients)),
    stat('sent', int(s.sent)),
    stat('failed', int(s.failed)),
    stat('cancelled', int(s.cancelled)),
    stat('pending', int(s.pending)),
    ...(s.retrying !== undefined ? [stat('retrying', int(s.retrying))] : []),
    stat('delivery jobs', int(s.jobs)),
    ...extraCounts(s).map((e) => stat(e.label, e.value)),
  ];
  const lp = d.series.latenessPercentiles;
  const cancel =
    ctx.csrfField && !ENDED.has(s.state)
      ? html`<form class="inline" method="post" action="${campaignHref(s.id)}/cancel"
          data-confirm="${`Cancel campaign ${s.id}? Nothing more of it is sent; this cannot be undone.`}">${new Raw(ctx.csrfField)}<button class="danger" type="submit">Cancel campaign</button></form>`
      : '';
  return layout({
    title: `Campaign ${s.id}`,
    section: '/campaigns',
    readOnly: ctx.readOnly,
    scripts: [UPLOT_SCRIPT],
    styles: [UPLOT_STYLE],
    body: html`<p><a href="/campaigns">← all campaigns</a></p>
      <section id="campaign-head" data-live><h1>${s.title || s.id} <span class="muted">${s.id}</span> ${stateBadge(s.state)}</h1>
      <div class="card">${progressBar({ ...s, total: s.recipients })}<div class="grid" style="margin-top:.75rem">${stats}</div>
      ${s.enqueued ? '' : html`<p class="muted">Recipients are still being queued (or the create stopped half-way: create again to resume).</p>`}
      <p>${cancel} <a href="/queue/${DELIVERY_QUEUE}">its delivery jobs in Bull Board</a> (named <code>campaign-chunk</code>, data <code>campaignId: ${s.id}</code>)</p></div></section>
      <h2>Delivered and failed per minute</h2>
      <div class="card"><div id="chart" data-src="${campaignHref(s.id)}/series.json"></div></div>
      <section id="campaign-window" data-live><div class="grid">
        <div class="card"><h2 style="margin-top:0">Send window</h2>${sendWindow(d)}</div>
        <div class="card"><h2 style="margin-top:0">Lateness</h2><p class="muted">From the intended send time to the start of the attempt that delivered, per request.</p>
        <dl class="kv"><dt>p50</dt><dd>${ms(lp?.p50)}</dd><dt>p90</dt><dd>${ms(lp?.p90)}</dd><dt>p99</dt><dd>${ms(lp?.p99)}</dd></dl></div>
      </div></section>
      <h2>Failures by reason</h2><section id="campaign-failures" data-live>${failures(d, ctx)}</section>`,
  });
}
