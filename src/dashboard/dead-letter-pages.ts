import type { DeadLetterEntry } from '../shared/dead-letters.js';
import { DEAD_LETTER_QUEUE } from '../shared/queue-names.js';
import type { ScheduleInfo } from '../shared/schedule-list.js';
import { html, int, layout, Raw, when } from './console-html.js';
import { groupDeadLetters, type DeadLetterGroup } from './dead-letter-groups.js';

/** A redrive button for one group; `back` is where the browser returns afterwards (a console path). */
export function redriveForm(csrfField: string, g: Pick<DeadLetterGroup, 'reason' | 'campaignId' | 'entries'>, back: string): Raw {
  const what = `${int(g.entries)} ${g.reason} dead letter${g.entries === 1 ? '' : 's'}${g.campaignId ? ` of campaign ${g.campaignId}` : ' of one-off sends'}`;
  return html`<form class="inline" method="post" action="/dead-letters/redrive" data-confirm="${`Redrive ${what}? They get fresh attempts and are sent again.`}">
    ${new Raw(csrfField)}<input type="hidden" name="reason" value="${g.reason}"><input type="hidden" name="campaign" value="${g.campaignId ?? ''}">
    <input type="hidden" name="back" value="${back}"><button type="submit">Redrive ${int(g.entries)}</button></form>`;
}

export function deadLettersPage(entries: readonly DeadLetterEntry[], ctx: { readOnly: boolean; csrfField?: string; truncated: boolean }): string {
  const groups = groupDeadLetters(entries);
  const rows = groups.map(
    (g) => html`<tr><td>${g.reason}</td>
      <td>${g.campaignId ? html`<a href="/campaigns/${encodeURIComponent(g.campaignId)}">${g.campaignId}</a>` : html`<span class="muted">one-off sends</span>`}</td>
      <td class="num">${int(g.entries)}</td><td class="num">${int(g.recipients)}</td>
      <td>${g.lastError}<div class="muted">${when(g.lastFailedAt)} · <a href="/queue/${DEAD_LETTER_QUEUE}/${encodeURIComponent(g.ids[0] ?? '')}">newest in Bull Board</a></div></td>
      <td>${ctx.csrfField ? redriveForm(ctx.csrfField, g, '/dead-letters') : ''}</td></tr>`,
  );
  const table =
    groups.length === 0
      ? html`<p class="muted">No dead letters.</p>`
      : html`<div class="scroll"><table><thead><tr><th>reason</th><th>campaign</th><th class="num">entries</th><th class="num">recipients</th>
        <th>last error</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`;
  return layout({
    title: 'Dead letters',
    section: '/dead-letters',
    readOnly: ctx.readOnly,
    body: html`<h1>Dead letters</h1>
      <p class="muted">Deliveries that could not be sent, by reason and campaign. A delivery job is never left failed: it is moved here,
      which is why the Failed tab of <code>deliveries</code> stays empty. Each entry is a job in
      <a href="/queue/${DEAD_LETTER_QUEUE}?status=waiting">${DEAD_LETTER_QUEUE}</a>. Redrive gives them fresh attempts and a fresh
      deadline and keeps their delivery key (as <code>neupush dlq redrive</code> does).</p>
      <section id="dead-letter-groups" data-live>${ctx.truncated ? html`<p class="banner">Showing the first ${int(entries.length)} entries only.</p>` : ''}${table}</section>`,
  });
}

export function schedulesPage(schedules: readonly ScheduleInfo[], ctx: { readOnly: boolean }): string {
  const rows = schedules.map(
    (s) => html`<tr><td>${s.id}<div class="muted">${s.notification?.title}</div></td><td><code>${s.cron}</code></td><td>${s.timezone}</td>
      <td>${when(s.next)}</td><td class="hide-narrow">${when(s.startDate)} – ${when(s.endDate)}</td></tr>`,
  );
  const table =
    schedules.length === 0
      ? html`<p class="muted">No recurring schedules.</p>`
      : html`<div class="scroll"><table><thead><tr><th>schedule</th><th>cron</th><th>time zone</th><th>next firing</th>
        <th class="hide-narrow">from – until</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  return layout({
    title: 'Schedules',
    section: '/schedules',
    readOnly: ctx.readOnly,
    body: html`<h1>Schedules</h1><p class="muted">Soonest next firing first. Each firing becomes delivery jobs; the firings are jobs in
      <a href="/queue/schedules">schedules</a> (and <a href="/job-schedulers">Bull Board's job schedulers</a>).</p>
      <section id="schedule-list" data-live>${table}</section>`,
  });
}
