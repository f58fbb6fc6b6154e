import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The console's CSS and script are plain text here rather than files, so they ship inside dist/ with the
 * rest (no build step, no CDN); uPlot's own dist files are read from its package.
 */
const CSS = `
:root { --fg:#1d2430; --muted:#6b7380; --line:#dfe3ea; --sent:#2f9e5b; --failed:#d6453d; --cancelled:#9aa3ad; --accent:#3760c9; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:#f6f7f9; }
header { display:flex; flex-wrap:wrap; gap:.5rem 1.5rem; align-items:center; padding:.75rem 1rem; background:#1d2430; color:#fff; }
header nav { display:flex; flex-wrap:wrap; gap:1rem; }
header a { color:#cfd8ff; text-decoration:none; } header a[aria-current=page] { color:#fff; font-weight:600; }
main { max-width:1240px; margin:0 auto; padding:1rem; }
h1 { font-size:1.35rem; margin:.25rem 0 1rem; } h2 { font-size:1.05rem; margin:1.5rem 0 .5rem; }
a { color:var(--accent); }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:1rem; margin-bottom:1rem; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; background:#fff; }
th, td { text-align:left; padding:.45rem .6rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); font-size:.8rem; text-transform:uppercase; letter-spacing:.03em; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
.muted { color:var(--muted); }
.state { display:inline-block; padding:.05rem .5rem; border-radius:99px; font-size:.8rem; background:#e8ecf3; white-space:nowrap; }
.state.sending { background:#dbe6ff; } .state.completed { background:#d7f2e1; }
.state.completed_with_failures { background:#fde2cf; } .state.cancelled { background:#e4e6e9; }
.bar { display:flex; height:10px; min-width:120px; background:#eceff3; border-radius:5px; overflow:hidden; }
.bar .sent { background:var(--sent); } .bar .failed { background:var(--failed); } .bar .cancelled { background:var(--cancelled); }
.grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:.75rem; }
.stat b { display:block; font-size:1.3rem; font-variant-numeric:tabular-nums; }
.stat span { color:var(--muted); font-size:.8rem; }
dl.kv { display:grid; grid-template-columns:max-content 1fr; gap:.3rem 1rem; margin:0; } dl.kv dt { color:var(--muted); }
button { font:inherit; padding:.35rem .8rem; border-radius:6px; border:1px solid var(--line); background:#fff; cursor:pointer; }
button.danger { border-color:var(--failed); color:var(--failed); }
form.inline { display:inline; margin:0; }
.banner { padding:.6rem .9rem; border-radius:6px; background:#fff7e0; border:1px solid #f0d890; margin-bottom:1rem; }
#chart { min-height:280px; }
@media (max-width: 700px) {
  main { padding:.5rem; } .hide-narrow { display:none; } th, td { padding:.35rem .4rem; }
  dl.kv { grid-template-columns:1fr; } dl.kv dd { margin:0 0 .4rem; }
}
`;

// Refreshes every [data-live] element from a fresh copy of the page, and the chart from its JSON, every
// few seconds while the tab is visible; forms with data-confirm ask first.
const SCRIPT = `
(function () {
  'use strict';
  var PERIOD = 3000;
  document.addEventListener('submit', function (e) {
    var q = e.target && e.target.getAttribute && e.target.getAttribute('data-confirm');
    if (q && !window.confirm(q)) e.preventDefault();
  });
  function refresh() {
    if (document.visibilityState !== 'visible') return Promise.resolve();
    return fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var doc = new DOMParser().parseFromString(text, 'text/html');
        document.querySelectorAll('[data-live]').forEach(function (el) {
          var fresh = el.id && doc.getElementById(el.id);
          if (fresh && fresh.innerHTML !== el.innerHTML) el.innerHTML = fresh.innerHTML;
        });
      }).catch(function () {});
  }
  var chart, chartEl = document.getElementById('chart');
  // At least ten minutes across, so one minute of data is a point in time, not a span of years.
  function fitX(x) {
    var now = Date.now() / 1000, max = x.length ? x[x.length - 1] : now, min = x.length ? x[0] : now;
    chart.setScale('x', { min: Math.min(min, max - 540) - 30, max: max + 30 });
  }
  function drawChart() {
    if (!chartEl || !window.uPlot) return Promise.resolve();
    return fetch(chartEl.getAttribute('data-src'), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        var x = [], sr = [], fr = [], sn = [], fn = [];
        s.points.forEach(function (p) {
          x.push(p.minute / 1000); sr.push(p.sentRequests); fr.push(p.failedRequests); sn.push(p.sentRecipients); fn.push(p.failedRecipients);
        });
        var data = [x, sn, fn, sr, fr];
        chartEl.setAttribute('data-points', String(x.length));
        if (chart) { chart.setData(data, false); fitX(x); return; }
        var width = Math.max(280, chartEl.clientWidth);
        var pts = { show: true, size: 7 };
        chart = new window.uPlot({
          width: width, height: 280,
          scales: { x: { time: true, auto: false }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
          series: [{},
            { label: 'recipients delivered', stroke: '#2f9e5b', width: 2, points: pts },
            { label: 'recipients failed', stroke: '#d6453d', width: 2, points: pts },
            { label: 'requests delivered', stroke: '#2f9e5b', dash: [6, 4], points: pts, scale: 'req' },
            { label: 'requests failed', stroke: '#d6453d', dash: [6, 4], points: pts, scale: 'req' }],
          axes: [{}, { label: 'recipients / min' }, { side: 1, scale: 'req', label: 'requests / min', grid: { show: false } }],
        }, data, chartEl);
        fitX(x);
        window.neupushChart = chart;
        window.addEventListener('resize', function () { chart.setSize({ width: Math.max(280, chartEl.clientWidth), height: 280 }); });
      }).catch(function () {});
  }
  drawChart();
  setInterval(function () { refresh(); if (chart) drawChart(); }, PERIOD);
})();
`;

const require = createRequire(import.meta.url);
const UPLOT_DIST = join(dirname(require.resolve('uplot/package.json')), 'dist');
const UPLOT_FILES: Record<string, { file: string; type: string }> = {
  'uPlot.iife.min.js': { file: 'uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: 'uPlot.min.css', type: 'text/css; charset=utf-8' },
};

export const UPLOT_SCRIPT = '/console/assets/uplot/uPlot.iife.min.js';
export const UPLOT_STYLE = '/console/assets/uplot/uPlot.min.css';

/** Routes for the console's assets; the server's onRequest hook puts them behind basic auth like the rest. */
export function registerConsoleAssets(app: FastifyInstance): void {
  const cache = 'private, max-age=300';
  app.get('/console/assets/console.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', cache).send(CSS));
  app.get('/console/assets/console.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', cache).send(SCRIPT),
  );
  const files = new Map<string, Promise<Buffer>>();
  app.get<{ Params: { file: string } }>('/console/assets/uplot/:file', async (request, reply) => {
    const entry = Object.hasOwn(UPLOT_FILES, request.params.file) ? UPLOT_FILES[request.params.file] : undefined;
    if (!entry) return reply.code(404).send({ error: `no such asset: ${request.params.file}` });
    let body = files.get(entry.file);
    if (!body) files.set(entry.file, (body = readFile(join(UPLOT_DIST, entry.file))));
    return reply.type(entry.type).header('cache-control', cache).send(await body);
  });
}
