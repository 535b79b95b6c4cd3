import { type Conversation, createConversation } from "@grammyjs/conversations";
import type { BotContext, WizardContext } from "../../context.ts";
import { type Act, type Choice, confirmStep, type Scope } from "./actions.ts";

export const PRICE_CONVERSATION = "update_price";
const MAX_WAIT_MS = 10 * 60 * 1000;

type PriceConversation = Conversation<BotContext, WizardContext>;

/**
 * The short conversation for a new stop or target: asks the price, checks it with core (right
 * side of entry), then shows the confirm step. Nothing changes until ✅ Confirm is tapped.
 */
async function askPrice(
  conversation: PriceConversation,
  ctx: WizardContext,
  scope: Scope,
  act: Act,
  id: string,
  leg: number | null,
) {
  const what = act === "sl" ? "stop loss" : `take profit${leg === null ? "" : ` of TP${leg}`}`;
  await ctx.reply(`New ${what} price? (or /cancel)`);
  for (;;) {
    const answer = await conversation.waitFor("message:text", { next: true });
    const text = answer.message.text.trim();
    if (/^\/cancel(@\w+)?$/i.test(text)) {
      await answer.reply("Nothing changed.");
      return;
    }
    if (text.startsWith("/")) await conversation.skip({ next: true });
    const price = Number(text.replace(",", "."));
    if (!Number.isFinite(price) || price <= 0 || !/^[0-9.,]{1,16}$/.test(text)) {
      await answer.reply("❗ Send a price such as 1.0842, or /cancel.");
      continue;
    }
    const userId = answer.from?.id ?? 0;
    const step = await conversation.external((outer) =>
      confirmStep(outer.app, { scope, act, id, leg, price } satisfies Choice, userId),
    );
    if ("error" in step) {
      await answer.reply(`❗ ${step.error}\nAnother price, or /cancel.`);
      continue;
    }
    await answer.reply(step.html, { parse_mode: "HTML", reply_markup: { inline_keyboard: step.buttons } });
    return;
  }
}

export const priceConversation = createConversation<BotContext, WizardContext>(askPrice, {
  id: PRICE_CONVERSATION,
  maxMillisecondsToWait: MAX_WAIT_MS,
});
