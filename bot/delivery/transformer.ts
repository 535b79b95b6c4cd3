import type { Transformer } from "grammy";
import type { Delivery, TelegramFailure } from "./index.ts";
import { PRIORITY } from "./priorities.ts";

/** The calls handlers make that put or change a message in a chat (files would not survive JSON). */
const ROUTED = new Set(["sendMessage", "editMessageText", "editMessageReplyMarkup", "editMessageCaption"]);

/**
 * A grammY API transformer that routes the messages command handlers send (`ctx.reply`, edits of
 * menus) through the outbox, so they count against the same limits and are never lost; the handler
 * still gets Telegram's answer (or its error as a GrammyError). Everything else (answerCallbackQuery,
 * getMe, …) goes straight on. Installed on `bot.api` and inside conversations.
 */
export function deliveryTransformer(delivery: Delivery): Transformer {
  return (async (prev, method, payload, signal) => {
    const chatId = Number((payload as { chat_id?: unknown } | undefined)?.chat_id);
    if (!ROUTED.has(method) || !Number.isSafeInteger(chatId)) return prev(method, payload, signal);
    const { done } = await delivery.enqueue({
      chatId,
      method,
      payload: payload as Record<string, unknown>,
      priority: PRIORITY.reply,
    });
    try {
      return { ok: true, result: await done };
    } catch (err) {
      const failure = err as TelegramFailure;
      if (failure.error_code === undefined) throw err;
      return {
        ok: false,
        error_code: failure.error_code,
        description: failure.description ?? "",
        ...(failure.parameters ? { parameters: failure.parameters } : {}),
      };
    }
  }) as Transformer;
}
