import { Composer, InlineKeyboard } from "grammy";
import { firesLeftToday, tierRule, utcDayStartMs } from "../../core/tiers.ts";
import type { Config } from "../../server/config/index.ts";
import type { BotContext } from "../context.ts";
import { duration, escapeHtml, signedMoney, utcTime } from "../format/common.ts";
import { lotsOf } from "../format/dm.ts";
import { appLink } from "../links.ts";
import { openTrades } from "./manage/open-trades.ts";

/**
 * The button to the app in a private chat: a web_app button when the app is served over https
 * (Telegram's rule for web_app URLs), else a plain link (the direct link opens the Mini App too).
 */
export function appKeyboard(config: Config): InlineKeyboard {
  if (!config.miniAppLink && config.publicUrl.startsWith("https://")) {
    return new InlineKeyboard().webApp("🚀 Open Sortie", `${config.publicUrl}/app/`);
  }
  return new InlineKeyboard().url("🚀 Open Sortie", appLink(config));
}

const HELP = [
  "<b>Sortie</b> turns each signal into your own mission: sized to your balance and risk, fired to your MT5 terminal in one tap.",
  "",
  "/me — tier, balance, risk, terminal, fires left today",
  "/risk 1.5 — risk 1.5 % of your balance per trade (0.1–10)",
  "/link — link (or re-link) your MT5 terminal; /link &lt;name&gt; links another one",
  "/terminals — your terminals: online, balances, stats",
  "/trades — your recent trades",
  "/profit [days] — your result in R and money",
  "/daily, /weekly — your result per day or week (/weekly off stops the Monday summary)",
  "/help — this message",
].join("\n");

/** Trader commands: /start, /help, /me, /risk, /trades. */
export const traderFeature = new Composer<BotContext>();

traderFeature.command("start", async (ctx) => {
  const name = ctx.from?.first_name ? `, ${escapeHtml(ctx.from.first_name)}` : "";
  await ctx.reply(
    [
      `👋 Welcome to Sortie${name}!`,
      "",
      "Signals are posted in the group. Tap one to see your mission and fire it to MetaTrader 5.",
      "",
      "<b>Link your terminal</b> (once):",
      "1. Send /link here to get your bridge token.",
      "2. Install the Sortie EA in MT5 and paste the token in its inputs.",
      "3. Send /me: your terminal shows online when it is connected.",
      "",
      HELP,
    ].join("\n"),
    { parse_mode: "HTML", reply_markup: appKeyboard(ctx.app.config) },
  );
});

traderFeature.command("help", (ctx) => ctx.reply(HELP, { parse_mode: "HTML" }));

traderFeature.command("me", async (ctx) => {
  if (!ctx.from) return;
  const { store, clock, config } = ctx.app;
  const user = await store.users.findUser(ctx.from.id);
  if (!user) {
    await ctx.reply("Send me /start in a private chat first.");
    return;
  }
  const nowMs = clock.now();
  const left = firesLeftToday(user.tier, await store.fires.countFiresSince(user.id, utcDayStartMs(nowMs)));
  const linked = await store.bot.isLinked(user.id);
  const seen = user.bridge_seen_ms;
  const online = seen !== null && nowMs - seen <= config.heartbeatStaleS * 1000;
  const terminal = !linked
    ? "not linked — send /link"
    : online
      ? `🟢 online${user.trade_allowed ? "" : " (trading disabled in MT5)"}`
      : `🔴 offline${seen === null ? " (never connected)" : ` since ${utcTime(seen)} (${duration(nowMs - seen)})`}`;
  const balance =
    user.balance === null
      ? "unknown until your terminal reports it"
      : `${user.balance.toFixed(2)} ${escapeHtml(user.currency ?? "")}`;
  await ctx.reply(
    [
      `🪪 <b>${tierRule(user.tier).label}</b> tier`,
      `Balance: ${balance}`,
      `Risk per trade: ${user.risk_percent}%`,
      `Terminal: ${terminal}`,
      `Fires left today: ${left === null ? "unlimited" : left}`,
      `Trades: ${user.trades} · P&amp;L ${signedMoney(user.pnl, user.currency)} · ${user.xp} XP`,
    ].join("\n"),
    { parse_mode: "HTML" },
  );
});

traderFeature.command("risk", async (ctx) => {
  if (!ctx.from) return;
  const { store, clock, hub } = ctx.app;
  const raw = ctx.match.trim().replace(/%$/, "").replace(",", ".");
  const percent = Number(raw);
  if (raw === "" || !Number.isFinite(percent) || percent < 0.1 || percent > 10) {
    const current = (await store.users.findUser(ctx.from.id))?.risk_percent;
    await ctx.reply(
      `Usage: /risk <percent>, between 0.1 and 10 (e.g. /risk 1.5).${current === undefined ? "" : ` Now: ${current}%.`}`,
    );
    return;
  }
  const rounded = Math.round(percent * 100) / 100;
  const now = new Date(clock.now()).toISOString();
  await store.users.ensureUser(ctx.from, now);
  await store.transaction(async () => {
    await store.users.setRiskPercent(ctx.from!.id, rounded, now);
    await store.fires.appendEvent(
      { type: "user.risk_changed", actor: ctx.actor, user_id: ctx.from!.id, data: { risk_percent: rounded } },
      now,
    );
  });
  hub.emit("user.updated", { user_id: ctx.from.id });
  await ctx.reply(`✅ Risk per trade set to ${rounded}%. Missions are sized with it from now on.`);
});

traderFeature.command("trades", async (ctx) => {
  if (!ctx.from) return;
  const { store } = ctx.app;
  const fires = await store.fires.listFiresByUser(ctx.from.id, 10);
  if (fires.length === 0) {
    await ctx.reply("No trades yet. Fire a mission from the group's alerts.");
    return;
  }
  const currency = (await store.users.findUser(ctx.from.id))?.currency ?? null;
  const lines = fires.map((f) => {
    const result =
      f.profit !== null ? ` · ${signedMoney(f.profit, currency)}` : f.message ? ` · ${escapeHtml(f.message)}` : "";
    return `• ${escapeHtml(f.symbol)} ${f.side} ${lotsOf(f)} lots — <b>${f.state}</b>${result} (${utcTime(f.created_at)})`;
  });
  const open = await openTrades(ctx.app, ctx.from.id);
  await ctx.reply(["📜 <b>Recent trades</b>", ...lines, ...open.lines].join("\n"), {
    parse_mode: "HTML",
    reply_markup: { inline_keyboard: open.buttons },
  });
});
