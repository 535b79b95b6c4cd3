import type { Api } from "grammy";
import type { Button } from "../messenger.ts";
import type { LocalOutbox } from "../outbox.ts";
import type { Transport } from "./telegram.ts";

type Payload = Record<string, unknown>;

/**
 * The Bot API through grammY's raw calls, on an Api of its own WITHOUT auto-retry: the outbox
 * decides about 429s, 5xx and network errors itself (pausing one chat, not one call).
 */
export function botApiTransport(api: Api): Transport {
  const raw = api.raw as unknown as Record<string, (payload: Payload) => Promise<unknown>>;
  return {
    call(method, payload) {
      const fn = raw[method];
      if (!fn) return Promise.reject(new Error(`unknown Bot API method ${method}`));
      return fn(payload);
    },
  };
}

const buttonsOf = (payload: Payload) =>
  (payload.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard;

/** Local mode: what would have gone to Telegram goes to the in-memory, logged local outbox. */
export function localTransport(outbox: LocalOutbox): Transport {
  return {
    async call(method, payload) {
      const chatId = Number(payload.chat_id);
      const html = String(payload.text ?? "");
      const buttons = buttonsOf(payload);
      if (method === "sendMessage") {
        const replyTo = (payload.reply_parameters as { message_id?: number } | undefined)?.message_id;
        return outbox.sendMessage(chatId, html, { ...(buttons ? { buttons } : {}), ...(replyTo ? { replyTo } : {}) });
      }
      if (method === "editMessageText") {
        await outbox.editMessageText(chatId, Number(payload.message_id), html, buttons ? { buttons } : {});
        return true;
      }
      return true;
    },
  };
}
