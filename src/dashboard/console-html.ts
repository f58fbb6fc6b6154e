/**
 * HTML building blocks of the console. Every value that reaches a page goes through `esc` (or `html`'s
 * interpolation, which calls it): campaign titles and error texts come from users and the vendor.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** Markup already built (by `html` or a trusted constant), passed through `html` without escaping. */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Raw | string | number | undefined | null | false | readonly Raw[];

/** Tagged template: strings and numbers are escaped, Raw (and arrays of Raw) are not; empty values vanish. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Raw {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    if (Array.isArray(part)) out += part.map(String).join('');
    else if (part instanceof Raw) out += part.value;
    else if (part !== undefined && part !== null && part !== false) out += esc(part);
    out += strings[i + 1] ?? '';
  });
  return new Raw(out);
}

export const int = (n: number | undefined) => (n ?? 0).toLocaleString('en-US');

/** ISO instant as `2026-12-24 18:00:00 UTC`, with the ISO value in a <time> for the reader's own tools. */
export function when(iso: string | undefined): Raw {
  if (iso === undefined) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time>`;
}

export function progressBar(parts: { sent: number; failed: number; cancelled: number; total: number }): Raw {
  const pct = (n: number) => (parts.total > 0 ? ((100 * n) / parts.total).toFixed(2) : '0');
  const done = parts.sent + parts.failed + parts.cancelled;
  return html`<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="${parts.total}" aria-valuenow="${done}"
    title="${pct(done)}% accounted for"><span class="sent" style="width:${pct(parts.sent)}%"></span><span class="failed"
    style="width:${pct(parts.failed)}%"></span><span class="cancelled" style="width:${pct(parts.cancelled)}%"></span></div>`;
}

const NAV = [
  ['/campaigns', 'Campaigns'],
  ['/schedules', 'Schedules'],
  ['/dead-letters', 'Dead letters'],
  ['/', 'Queues (Bull Board)'],
] as const;

export interface Layout {
  title: string;
  /** Path of the nav entry to mark current. */
  section: string;
  readOnly: boolean;
  /**
   * The page's content. Elements marked `data-live` (with an id) are refreshed in place every few seconds:
   * console.js fetches the page again and swaps their contents; the rest (the chart) stays.
   */
  body: Raw;
  /** Scripts besides console.js, e.g. uPlot on the detail page. */
  scripts?: readonly string[];
  styles?: readonly string[];
}

/** The whole page. */
export function layout(l: Layout): string {
  const nav = NAV.map(([href, label]) => html`<a href="${href}"${new Raw(href === l.section ? ' aria-current="page"' : '')}>${label}</a>`);
  const styles = ['/console/assets/console.css', ...(l.styles ?? [])].map((s) => html`<link rel="stylesheet" href="${s}">`);
  const scripts = [...(l.scripts ?? []), '/console/assets/console.js'].map((s) => html`<script src="${s}" defer></script>`);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${l.title} · neupush</title>${styles}${scripts}</head>
<body><header><strong>neupush${l.readOnly ? ' (read-only)' : ''}</strong><nav>${nav}</nav></header>
<main>${l.body}</main></body></html>`.value;
}
