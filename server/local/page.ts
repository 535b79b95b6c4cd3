import { sign } from "@telegram-apps/init-data-node";
import type { OutboxEntry } from "../../bot/outbox.ts";
import type { StagedSignal } from "../../core/schedule.ts";
import { DEMO_TRADERS } from "./demo.ts";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Mini App link for a demo trader in an ordinary browser: launch parameters go in the URL hash the
 * way Telegram passes them (`#tgWebAppData=…`), signed with local mode's fixed token.
 */
export function demoLink(
  baseUrl: string,
  trader: (typeof DEMO_TRADERS)[number],
  token: string,
  signalId: string | null,
  nowMs: number,
): string {
  const initData = sign(
    {
      user: { id: trader.id, first_name: trader.first_name, username: trader.username } as never,
      ...(signalId ? { start_param: signalId } : {}),
    } as never,
    token,
    new Date(nowMs),
  );
  const query = signalId ? `?startapp=${encodeURIComponent(signalId)}` : "";
  return `${baseUrl}/app/${query}#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0&tgWebAppPlatform=web`;
}

/** The local page: who to open the app as, and what the bot would have said. */
export function localPage(opts: {
  baseUrl: string;
  token: string;
  nowMs: number;
  signals: Array<{ id: string; symbol: string; side: string; status: string }>;
  /** The signal engine's drafts waiting for approval. */
  drafts?: StagedSignal[];
  outbox: OutboxEntry[];
}): string {
  const latest = opts.signals.find((s) => s.status === "active") ?? null;
  const traders = DEMO_TRADERS.map((t) => {
    const link = demoLink(opts.baseUrl, t, opts.token, latest?.id ?? null, opts.nowMs);
    return `<li><a href="${esc(link)}">Open as ${esc(t.first_name)}</a> — ${t.tier}, $${t.balance.toLocaleString("en-US")}, risk ${t.risk}%</li>`;
  }).join("");
  const signals = opts.signals
    .slice(0, 10)
    .map((s) => `<li><code>${esc(s.id)}</code> ${esc(s.side)} ${esc(s.symbol)} — ${esc(s.status)}</li>`)
    .join("");
  const drafts = (opts.drafts ?? [])
    .map(
      (d) =>
        `<li><code>${esc(d.id)}</code> ${esc(d.side)} ${esc(d.symbol)} @ ${d.entry} · stop ${d.stop_loss} · targets ${d.take_profit.join(" ")} · quality ${d.shield_score ?? "–"}/10 (${esc(d.source)})
<form method="post" action="/local/drafts/${esc(d.id)}/approve" style="display:inline"><button>✅ Approve</button></form>
<form method="post" action="/local/drafts/${esc(d.id)}/reject" style="display:inline"><button>✖ Reject</button></form></li>`,
    )
    .join("");
  const messages = [...opts.outbox]
    .reverse()
    .slice(0, 50)
    .map(
      (m) =>
        `<li><small>${esc(m.at)} ${m.kind === "send" ? "sent to" : "edited in"} chat ${m.chat_id}</small><pre>${esc(m.text)}</pre>${m.buttons
          .flat()
          .map((b) => ("url" in b ? `<a href="${esc(String(b.url))}">[${esc(b.text)}]</a>` : `[${esc(b.text)}]`))
          .join(" ")}</li>`,
    )
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sortie — local mode</title><meta http-equiv="refresh" content="15">
<style>body{font:15px system-ui;max-width:860px;margin:24px auto;padding:0 16px;background:#0f1419;color:#e6e6e6}
a{color:#6cb6ff}pre{white-space:pre-wrap;background:#1a2027;padding:8px;border-radius:6px}li{margin:6px 0}</style></head><body>
<h1>Sortie — local mode</h1>
<p>No Telegram bot token is set, so Sortie runs on its own: demo traders with paper MT5 terminals on a simulated market,
a new demo signal every 30 seconds, and the messages the bot would have sent listed below.</p>
<h2>Open the Mini App as a demo trader</h2><ul>${traders}</ul>
<h2>Signals</h2><ul>${signals || "<li>none yet</li>"}</ul>
<h2>Signal engine drafts</h2><p>The engine watches the simulated market (12× faster than real time, so a one-minute
candle closes every 5 s) and proposes drafts; approve one to publish it as a signal.</p>
<ul>${drafts || "<li>none waiting (the first come a few minutes after start)</li>"}</ul>
<h2>What the bot would have sent</h2><ul>${messages || "<li>nothing yet</li>"}</ul>
<p><a href="/docs">API docs</a> (<a href="/docs/json">OpenAPI</a>) · <a href="/health">health</a></p></body></html>`;
}
