import { type Delivery, PRIORITY, type Priority } from "./delivery/index.ts";
import { isUnreachable } from "./delivery/telegram.ts";

/** One inline button: a link, or a callback for this bot. */
export type Button = { text: string; url: string } | { text: string; callback_data: string };

export interface MessageOptions {
  /** Rows of inline buttons. Omitted on an edit = the buttons are removed. */
  buttons?: Button[][];
  /** Post as a reply under this message (same chat); sent anyway if it is gone. */
  replyTo?: number;
  /** Its place in the outbox (default: a result DM's). */
  priority?: Priority;
  /** Recorded with the message; the outbox's handlers for its kind run when Telegram answers. */
  ref?: string;
}

/**
 * What the notifier needs to talk to people: send and edit HTML text messages. Implemented over
 * the bot's outbox (`deliveryMessenger`, below), which reaches Telegram or, in local mode, the
 * local outbox (`outbox.ts`) that records what would have been sent.
 */
export interface Messenger {
  sendMessage(chatId: number, html: string, options?: MessageOptions): Promise<{ message_id: number }>;
  editMessageText(chatId: number, messageId: number, html: string, options?: MessageOptions): Promise<void>;
}

/** The Bot API's answer to a failed call, as grammY's GrammyError carries it. */
interface ApiFailure {
  error_code?: number;
  description?: string;
}

/**
 * Sorts a failed send or edit:
 * - `unreachable`: the user blocked the bot or never started it (403), or the chat is gone;
 * - `not_modified`: an edit with the same text and buttons (harmless);
 * - `gone`: the message to edit was deleted;
 * - `other`: anything else (auto-retry already retried 429 and 5xx).
 */
export function failureKind(err: unknown): "unreachable" | "not_modified" | "gone" | "other" {
  const { error_code: code, description = "" } = (err ?? {}) as ApiFailure;
  if (isUnreachable({ error_code: code, description })) return "unreachable";
  if (code === 400 && /message is not modified/i.test(description)) return "not_modified";
  if (code === 400 && /message to edit not found|MESSAGE_ID_INVALID/i.test(description)) return "gone";
  return "other";
}

/** The inline keyboard markup for `buttons`; an empty keyboard removes existing buttons on edit. */
export function inlineKeyboard(buttons: Button[][] | undefined) {
  return { inline_keyboard: buttons ?? [] };
}

/** sendMessage's parameters for an HTML message: no link previews. */
export function sendPayload(chatId: number, html: string, options: MessageOptions = {}): Record<string, unknown> {
  return {
    chat_id: chatId,
    text: html,
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    ...(options.buttons ? { reply_markup: inlineKeyboard(options.buttons) } : {}),
    ...(options.replyTo
      ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } }
      : {}),
  };
}

/** The outbox as a Messenger: each call is queued (stored) and resolves when Telegram answered it. */
export function deliveryMessenger(delivery: Delivery): Messenger {
  return {
    async sendMessage(chatId, html, options = {}) {
      const { done } = await delivery.enqueue({
        chatId,
        method: "sendMessage",
        payload: sendPayload(chatId, html, options),
        priority: options.priority ?? PRIORITY.result,
        ref: options.ref ?? null,
      });
      const sent = (await done) as { message_id: number };
      return { message_id: sent.message_id };
    },
    async editMessageText(chatId, messageId, html, options = {}) {
      const { done } = await delivery.enqueue({
        chatId,
        method: "editMessageText",
        payload: {
          chat_id: chatId,
          message_id: messageId,
          text: html,
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          reply_markup: inlineKeyboard(options.buttons),
        },
        priority: options.priority ?? PRIORITY.alert,
        ref: options.ref ?? null,
      });
      await done;
    },
  };
}
