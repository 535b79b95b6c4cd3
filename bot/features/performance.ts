import { Composer } from "grammy";
import { periodStartMs, periodTable } from "../../core/track-record/index.ts";
import type { BotContext } from "../context.ts";
import { periodText, profitText } from "../format/performance.ts";

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** "" → fallback; a whole number in [1, max] → it; anything else → null (usage). */
function countArg(text: string, fallback: number, max: number): number | null {
  const arg = text.trim();
  if (arg === "") return fallback;
  const n = Number(arg);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : null;
}

/**
 * Trader performance in the bot (freqtrade's habit): `/profit [days]`, `/daily [n]`, `/weekly [n]`,
 * and `/weekly off|on` for the weekly summary DM. Same numbers as the API (one service).
 */
export const performanceFeature = new Composer<BotContext>();

performanceFeature.command("profit", async (ctx) => {
  if (!ctx.from) return;
  const arg = ctx.match.trim();
  const days = arg === "" ? null : countArg(arg, 1, 3650);
  if (arg !== "" && days === null) {
    await ctx.reply("Usage: /profit [days] — e.g. /profit 30 (default: all time).");
    return;
  }
  await ctx.reply(profitText(await ctx.app.trackRecord.performance(ctx.from.id, days)), { parse_mode: "HTML" });
});

performanceFeature.command("daily", async (ctx) => {
  if (!ctx.from) return;
  const count = countArg(ctx.match, 7, 60);
  if (count === null) {
    await ctx.reply("Usage: /daily [days] — 1 to 60 (default 7).");
    return;
  }
  const { trackRecord, clock, store } = ctx.app;
  const rows = periodTable(await trackRecord.userOutcomes(ctx.from.id), clock.now(), "day", count);
  const currency = (await store.users.findUser(ctx.from.id))?.currency ?? null;
  await ctx.reply(
    periodText(`Daily (last ${count} days, UTC)`, rows, currency, (r) => day(r.startMs)),
    {
      parse_mode: "HTML",
    },
  );
});

performanceFeature.command("weekly", async (ctx) => {
  if (!ctx.from) return;
  const { trackRecord, clock, store } = ctx.app;
  const arg = ctx.match.trim().toLowerCase();
  if (arg === "off" || arg === "on") {
    await store.users.ensureUser(ctx.from, new Date(clock.now()).toISOString());
    await store.trackRecord.setWeeklySummary(ctx.from.id, arg === "on");
    await ctx.reply(
      arg === "on"
        ? "🗓 Weekly summary on: every Monday you get last week's result."
        : "🗓 Weekly summary off. /weekly on brings it back.",
    );
    return;
  }
  const count = countArg(arg, 4, 26);
  if (count === null) {
    await ctx.reply("Usage: /weekly [weeks] — 1 to 26 (default 4); /weekly off|on for the Monday summary.");
    return;
  }
  const rows = periodTable(await trackRecord.userOutcomes(ctx.from.id), clock.now(), "week", count);
  const currency = (await store.users.findUser(ctx.from.id))?.currency ?? null;
  const thisWeek = periodStartMs(clock.now(), "week");
  await ctx.reply(
    periodText(`Weekly (last ${count} weeks, from Monday UTC)`, rows, currency, (r) =>
      r.startMs === thisWeek ? `${day(r.startMs)}*` : day(r.startMs),
    ),
    { parse_mode: "HTML" },
  );
});
