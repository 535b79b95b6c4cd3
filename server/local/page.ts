import { sign } from "@telegram-apps/init-data-node";
import type { StagedSignal } from "../../core/schedule.ts";
import type { Config } from "../config/index.ts";
import { DEMO_TRADERS } from "./demo.ts";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Mini App link for a demo trader in an ordinary browser: launch parameters go in the URL hash the
 * way Telegram passes them (`#tgWebAppData=…`), signed with local mode's fixed token.
 */
export function demoLink(
  baseUrl: string,
  trader: { id: number; first_name: string; username?: string },
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

/**
 * What a link of the bot's buttons opens in the Mini App: a signal id (`/mission/<id>`, or the
 * direct link with `startapp=<id>`), null for the app itself, undefined when it is no Mini App link.
 */
export function miniAppTarget(
  config: Pick<Config, "publicUrl" | "miniAppLink">,
  url: string,
): string | null | undefined {
  const mission = `${config.publicUrl}/mission/`;
  if (url.startsWith(mission)) return decodeURIComponent(url.slice(mission.length).split(/[?#]/)[0]!) || null;
  if (url === `${config.publicUrl}/app/` || url === `${config.publicUrl}/app`) return null;
  if (config.miniAppLink && url.startsWith(config.miniAppLink)) {
    return new URL(url).searchParams.get("startapp");
  }
  return undefined;
}

/** The local page: the chat console with the real bot, who to open the app as, the signals. */
export function localPage(opts: {
  baseUrl: string;
  token: string;
  nowMs: number;
  signals: Array<{ id: string; symbol: string; side: string; status: string }>;
  /** The signal engine's drafts waiting for approval. */
  drafts?: StagedSignal[];
  admin: { id: number; first_name: string };
  group: { title: string };
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
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sortie — local mode</title><style>${STYLE}</style></head><body>
<h1>Sortie — local mode</h1>
<p>No Telegram bot token is set, so Sortie runs on its own: demo traders with paper MT5 terminals on a simulated market,
a new demo signal every 30 seconds, and the real bot answering in the chat console below.</p>
<h2>Chat with the bot</h2>
<p>Pick who you are — <b>${esc(opts.admin.first_name)}</b>, the demo admin (try <code>/signal</code>), or a demo trader —
and the chat: your private chat with the bot, or <b>${esc(opts.group.title)}</b> where alerts are posted.</p>
<div id="console" data-testid="console"><p>Connecting to the local bot…</p></div>
<h2>Open the Mini App as a demo trader</h2><ul>${traders}</ul>
<h2>Signals</h2><ul>${signals || "<li>none yet</li>"}</ul>
<h2>Signal engine drafts</h2><p>The engine watches the simulated market (12× faster than real time, so a one-minute
candle closes every 5 s) and proposes drafts: the demo admin gets each in the chat above with Approve / Edit / Reject,
or approve one here to publish it as a signal (reload the page to see new ones).</p>
<ul>${drafts || "<li>none waiting (the first come a few minutes after start)</li>"}</ul>
<p><a href="/docs">API docs</a> (<a href="/docs/json">OpenAPI</a>) · <a href="/health">health</a></p>
<script type="module" src="/local/console/index.js"></script></body></html>`;
}

/** The page's and the console's look: Telegram's dark theme, bubbles, inline keyboards. */
const STYLE = `body{font:15px system-ui,sans-serif;max-width:860px;margin:24px auto;padding:0 16px;background:#0f1419;color:#e6e6e6}
a{color:#6cb6ff}li{margin:6px 0}code{font:13px ui-monospace,monospace}
#console{border:1px solid #2b3540;border-radius:12px;background:#0e1621;display:flex;flex-direction:column;height:620px;position:relative;overflow:hidden}
#console .bar{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:8px;padding:8px 12px;background:#17212b}
#console select{max-width:100%;background:#242f3d;color:#e6e6e6;border:0;border-radius:6px;padding:6px;font:inherit}
#console .status{font-size:12px;color:#e0a050}#console .status.live{color:#5fd37a}
#console .tabs{display:flex;gap:4px;padding:0 8px;background:#17212b;border-bottom:1px solid #0b1118}
#console .tabs button{background:none;border:0;color:#8fa3b5;padding:8px 10px;font:inherit;cursor:pointer;border-bottom:2px solid transparent}
#console .tabs button[aria-selected=true]{color:#e6e6e6;border-bottom-color:#5eb5f7}
#console .badge{background:#5eb5f7;color:#0e1621;border-radius:9px;padding:0 6px;margin-left:6px;font-size:12px}
#console .messages{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:6px}
#console .empty{color:#8fa3b5;text-align:center}
#console .message{max-width:78%;padding:6px 10px;border-radius:12px;background:#182533;align-self:flex-start;white-space:pre-wrap;overflow-wrap:anywhere}
#console .message.out{background:#2b5278;align-self:flex-end}
#console .sender{color:#5eb5f7;font-weight:600;font-size:13px}
#console .reply{border-left:2px solid #5eb5f7;padding-left:6px;color:#8fa3b5;font-size:13px}
#console .meta{font-size:11px;color:#8fa3b5;text-align:right}
#console pre{background:#0b1118;padding:6px;border-radius:6px;white-space:pre-wrap;margin:4px 0}
#console code{background:#0b1118;padding:0 3px;border-radius:3px}
#console blockquote{border-left:3px solid #5eb5f7;margin:4px 0;padding-left:8px}
#console .spoiler{background:#8fa3b5;color:transparent;border-radius:3px;cursor:pointer}#console .spoiler.shown{background:none;color:inherit}
#console .keyboard{display:flex;flex-direction:column;gap:4px;margin-top:6px;white-space:normal}
#console .row{display:flex;gap:4px}
#console .button{flex:1;background:#2b3a4a;color:#e6e6e6;border:0;border-radius:8px;padding:7px;font:inherit;font-size:14px;text-align:center;text-decoration:none;cursor:pointer}
#console .button:hover{background:#36495d}
#console .composer{display:flex;gap:6px;padding:8px;background:#17212b}
#console .composer input{flex:1;background:#242f3d;color:#e6e6e6;border:0;border-radius:8px;padding:8px;font:inherit}
#console .composer button{background:#5eb5f7;color:#0e1621;border:0;border-radius:8px;padding:0 14px;font:inherit;font-weight:600;cursor:pointer}
#console .composer .menu-button{background:#242f3d;color:#5eb5f7}
#console .menu{position:absolute;bottom:56px;left:8px;right:8px;max-height:260px;overflow-y:auto;background:#17212b;border:1px solid #2b3540;border-radius:8px}
#console .menu button{display:block;width:100%;text-align:left;background:none;border:0;color:#e6e6e6;padding:8px;font:inherit;cursor:pointer}
#console .menu button:hover{background:#242f3d}
#console .toast{position:absolute;top:96px;left:50%;transform:translateX(-50%);background:#000c;padding:10px 14px;border-radius:8px;max-width:80%}
#console .toast.alert{background:#242f3d;border:1px solid #5eb5f7}#console .toast button{margin-top:8px}
#console [hidden]{display:none}`;
