import { Composer } from "grammy";
import type { BotContext } from "../../context.ts";
import { escapeHtml } from "../../format/common.ts";
import { ABORT, type Act, type Choice, CONFIRM, choiceOf, confirmStep, PICK, runChoice } from "./actions.ts";
import { PRICE_CONVERSATION, priceConversation } from "./price.ts";

const ACTIONS: Record<string, Act> = { breakeven: "be", close: "cl", move_sl: "sl", move_tp: "tp" };
const USAGE = [
  "Usage: /update <signal id> <action>",
  "  breakeven · close [leg] · move_sl <price> · move_tp <leg> <price>",
  "e.g. /update s_01J… move_sl 1.0842",
].join("\n");

/** Parses `/update <signal> <action> [leg] [price]`; null when it does not read. */
function parseUpdate(text: string): Choice | null {
  const [id, name, ...rest] = text.trim().split(/\s+/);
  const act = ACTIONS[name?.toLowerCase() ?? ""];
  if (!id || !/^[A-Za-z0-9_-]{1,40}$/.test(id) || !act) return null;
  const numbers = rest.map((r) => Number(r.replace(",", ".")));
  if (numbers.some((n) => !Number.isFinite(n))) return null;
  if (act === "cl") return { scope: "s", act, id, leg: numbers[0] ?? null, price: null };
  if (act === "sl") return numbers[0] === undefined ? null : { scope: "s", act, id, leg: null, price: numbers[0] };
  if (act === "tp") return numbers.length < 2 ? null : { scope: "s", act, id, leg: numbers[0]!, price: numbers[1]! };
  return { scope: "s", act, id, leg: null, price: null };
}

/**
 * Managing trades from the bot: admins' buttons under /signals and /update; traders' buttons
 * under /trades. Every action has a confirm step; a new stop or target is asked in a short
 * conversation. Admin buttons start with the admin prefix, so the admin guard checks them.
 */
export const manageFeature = new Composer<BotContext>();

manageFeature.use(priceConversation);

manageFeature.command("update", async (ctx) => {
  const choice = parseUpdate(ctx.match);
  if (!choice) {
    await ctx.reply(USAGE);
    return;
  }
  const step = await confirmStep(ctx.app, choice, ctx.from?.id ?? 0);
  if ("error" in step) await ctx.reply(`❗ ${escapeHtml(step.error)}`);
  else await ctx.reply(step.html, { parse_mode: "HTML", reply_markup: { inline_keyboard: step.buttons } });
});

manageFeature.callbackQuery(PICK, async (ctx) => {
  const choice = choiceOf(ctx.match as RegExpMatchArray);
  await ctx.answerCallbackQuery();
  if (choice.act === "sl" || choice.act === "tp") {
    if (ctx.chat?.type !== "private") {
      await ctx.reply("Open a private chat with me to type a price.");
      return;
    }
    await ctx.conversation.exit(PRICE_CONVERSATION);
    await ctx.conversation.enter(PRICE_CONVERSATION, choice.scope, choice.act, choice.id, choice.leg);
    return;
  }
  const step = await confirmStep(ctx.app, choice, ctx.from.id);
  if ("error" in step) await ctx.reply(`❗ ${escapeHtml(step.error)}`);
  else await ctx.reply(step.html, { parse_mode: "HTML", reply_markup: { inline_keyboard: step.buttons } });
});

manageFeature.callbackQuery(CONFIRM, async (ctx) => {
  const choice = choiceOf(ctx.match as RegExpMatchArray);
  const message = ctx.callbackQuery.message;
  const key = `${message?.chat.id ?? ctx.from.id}:${message?.message_id ?? ctx.callbackQuery.id}`;
  const answer = await runChoice(ctx.app, choice, ctx.from.id, ctx.actor, key);
  await ctx.answerCallbackQuery({ text: answer.slice(0, 200) });
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  await ctx.reply(escapeHtml(answer), { parse_mode: "HTML" });
});

// A trade's name above its buttons in /trades: nothing to do.
manageFeature.callbackQuery("mg:n", (ctx) => ctx.answerCallbackQuery());

manageFeature.callbackQuery(ABORT, async (ctx) => {
  await ctx.answerCallbackQuery({ text: "Nothing changed." });
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
});
