import { equityCurveSvg } from "../../core/engine/backtest/svg.ts";
import type { TrackRecordBody } from "../../core/track-record/index.ts";

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const signedR = (r: number | null) =>
  r === null ? "—" : `${r > 0 ? "+" : r < 0 ? "−" : ""}${Math.abs(r).toFixed(2)} R`;
const percent = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);
const rClass = (r: number | null) => (r === null || r === 0 ? "" : r > 0 ? "up" : "down");

const STYLE = `body{font-family:system-ui,sans-serif;max-width:860px;margin:24px auto;padding:0 16px;color:#1f2328}
h1{font-size:22px;margin:0 0 4px}p.sub{color:#57606a;margin:0 0 16px}nav a{margin-right:12px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px;margin:16px 0}
.tile{border:1px solid #d0d7de;border-radius:8px;padding:10px}.tile b{display:block;font-size:20px}
.tile span{color:#57606a;font-size:13px}table{border-collapse:collapse;width:100%;margin:8px 0 24px}
th,td{border-bottom:1px solid #d0d7de;padding:6px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
.up{color:#1a7f37}.down{color:#cf222e}figure{margin:0}figure svg{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:8px}`;

/**
 * The public track record as one server-rendered page (no script: readable in any browser, by
 * search engines and in Telegram's link preview): headline figures, the equity curve in R as an
 * inline SVG, the monthly table and the by-symbol table.
 */
export function trackRecordPage(record: TrackRecordBody, nowIso: string): string {
  const period = record.days === null ? "all time" : `last ${record.days} days`;
  const tiles = [
    ["Signals", String(record.signals)],
    ["Closed", String(record.closed)],
    ["Win rate", percent(record.win_rate)],
    ["Average", signedR(record.avg_r)],
    ["Total", signedR(record.total_r)],
    ["Max drawdown", `${record.max_drawdown_r.toFixed(2)} R`],
  ];
  // The curve starts at 0 R at the first close, so the first result shows as a step from zero.
  const points = record.equity_r.map((p) => ({ t: Date.parse(p.t), r: p.r }));
  const curve = equityCurveSvg(
    points.length > 0 ? [{ t: points[0]!.t, r: 0 }, ...points] : points,
    `Equity curve in R (${period})`,
  );
  const monthly = record.monthly
    .map(
      (m) =>
        `<tr><td>${m.month}</td><td>${m.closed}</td><td>${percent(m.win_rate)}</td><td class="${rClass(m.avg_r)}">${signedR(m.avg_r)}</td><td class="${rClass(m.total_r)}">${signedR(m.total_r)}</td></tr>`,
    )
    .join("");
  const bySymbol = record.by_symbol
    .map(
      (s) =>
        `<tr><td>${escapeHtml(s.symbol)}</td><td>${s.signals}</td><td>${percent(s.win_rate)}</td><td class="${rClass(s.total_r)}">${signedR(s.total_r)}</td></tr>`,
    )
    .join("");
  const empty = (cols: number) => `<tr><td colspan="${cols}">No closed signals yet.</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sortie track record — ${period}</title><style>${STYLE}</style></head>
<body>
<h1>Track record</h1>
<p class="sub">Every signal's result in R, from the fills and closes of the traders who took it (${period}; as of ${escapeHtml(nowIso.slice(0, 16).replace("T", " "))} UTC).</p>
<nav><a href="?days=30">30 days</a><a href="?days=90">90 days</a><a href="?days=365">1 year</a><a href="?">All time</a></nav>
<div class="tiles">${tiles.map(([label, value]) => `<div class="tile"><b>${value}</b><span>${label}</span></div>`).join("")}</div>
<figure id="equity">${curve}</figure>
<h2>By month</h2>
<table id="monthly"><thead><tr><th>Month</th><th>Closed</th><th>Win rate</th><th>Avg R</th><th>Total R</th></tr></thead><tbody>${monthly || empty(5)}</tbody></table>
<h2>By symbol</h2>
<table id="by-symbol"><thead><tr><th>Symbol</th><th>Signals</th><th>Win rate</th><th>Total R</th></tr></thead><tbody>${bySymbol || empty(4)}</tbody></table>
<p class="sub">R = (close − fill) ÷ |entry − stop loss|, signed by side, volume-weighted over a signal's closed positions. JSON: <a href="/api/track-record">/api/track-record</a>.</p>
</body></html>`;
}
