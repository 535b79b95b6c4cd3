import { Composer } from "grammy";
import type { AppContext } from "../../../server/context.ts";
import { ApiError } from "../../../server/errors.ts";
import type { BotContext } from "../../context.ts";
import { escapeHtml } from "../../format/common.ts";
import type { Button } from "../../messenger.ts";
import { ADMIN_CALLBACK_PREFIX } from "../admin-guard.ts";

const AUTO = `${ADMIN_CALLBACK_PREFIX}engine:auto:`;
const USAGE = "Usage: /engine — or /engine <strategy> auto on [min quality 0–10] | /engine <strategy> auto off";

/** The /engine message: strategies with auto-publish, symbols live or paused, drafts waiting. */
async function engineView(app: AppContext): Promise<{ html: string; buttons: Button[][] }> {
  const health = app.engine.health();
  const strategies = await app.engine.strategies();
  const drafts = (await app.engine.drafts.listPending(100)).length;
  const lines = strategies.map(
    (s) =>
      `• <b>${escapeHtml(s.name)}</b> (M${s.timeframe_min}): auto-publish ${s.auto_publish ? `<b>ON</b> at quality ≥ ${s.min_quality}` : "off"}`,
  );
  const symbols = health.symbols.map(
    (s) =>
      `• ${escapeHtml(s.symbol)}: ${s.paused ? `⏸ paused — ${escapeHtml(s.reason ?? "")}` : `live (${s.candles} M1 candles)`}`,
  );
  return {
    html: [
      "🤖 <b>Signal engine</b>",
      ...lines,
      "",
      symbols.length > 0
        ? "<b>Prices</b>"
        : "No prices yet: link an admin's terminal (its heartbeats feed the engine).",
      ...symbols,
      "",
      `Drafts waiting for approval: ${drafts}`,
    ].join("\n"),
    buttons: strategies.map((s) => [
      s.auto_publish
        ? { text: `Turn auto-publish off: ${s.name}`, callback_data: `${AUTO}${s.name}:off` }
        : { text: `Auto-publish ${s.name} at quality ≥ ${s.min_quality}`, callback_data: `${AUTO}${s.name}:on` },
    ]),
  };
}

/** Admin: `/engine` (status, auto-publish buttons) and `/engine <strategy> auto on|off [min]`. */
export const engineFeature = new Composer<BotContext>();

engineFeature.command("engine", async (ctx) => {
  const args = ctx.match.trim().split(/\s+/).filter(Boolean);
  if (args.length > 0) {
    const [name, word, state, min] = args;
    const minQuality = min === undefined ? undefined : Number(min);
    if (word !== "auto" || (state !== "on" && state !== "off") || (min !== undefined && !Number.isFinite(minQuality))) {
      await ctx.reply(USAGE);
      return;
    }
    try {
      const s = await ctx.app.engine.setStrategy(
        name!,
        { auto_publish: state === "on", ...(minQuality === undefined ? {} : { min_quality: minQuality }) },
        ctx.actor,
      );
      await ctx.reply(
        `${s.name}: auto-publish ${s.auto_publish ? `ON for drafts of quality ≥ ${s.min_quality}` : "off (every draft waits for an admin)"}.`,
      );
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      await ctx.reply(`❗ ${err.message}\n${USAGE}`);
    }
    return;
  }
  const { html, buttons } = await engineView(ctx.app);
  await ctx.reply(html, { parse_mode: "HTML", reply_markup: { inline_keyboard: buttons } });
});

engineFeature.callbackQuery(new RegExp(`^${AUTO}([a-z0-9-]{1,64}):(on|off)$`), async (ctx) => {
  const [, name, state] = ctx.match as RegExpMatchArray;
  try {
    const s = await ctx.app.engine.setStrategy(name!, { auto_publish: state === "on" }, ctx.actor);
    await ctx.answerCallbackQuery({ text: `${s.name}: auto-publish ${s.auto_publish ? "ON" : "off"}` });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    await ctx.answerCallbackQuery({ text: err.message, show_alert: true });
    return;
  }
  const { html, buttons } = await engineView(ctx.app);
  await ctx
    .editMessageText(html, { parse_mode: "HTML", reply_markup: { inline_keyboard: buttons } })
    .catch((err: unknown) => ctx.log("could not refresh /engine", err));
});
