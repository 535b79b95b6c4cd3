import type { BotLog } from "./context.ts";
import type { Button, Messenger } from "./messenger.ts";

/** One message the bot would have sent (or an edit of one) in local mode. */
export interface OutboxEntry {
  seq: number;
  at: string;
  kind: "send" | "edit";
  chat_id: number;
  message_id: number;
  /** HTML as it would reach Telegram. */
  html: string;
  /** The same without tags, for the console. */
  text: string;
  buttons: Button[][];
}

const stripTags = (html: string) =>
  html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

/**
 * Local mode's Messenger: no Telegram, so alerts and DMs are logged and kept in memory (the
 * newest `limit`), for the console and for a local page that lists them (`list()`).
 */
export function createLocalOutbox(options: { log?: BotLog; limit?: number; now?: () => number } = {}) {
  const log = options.log ?? (() => undefined);
  const limit = options.limit ?? 200;
  const now = options.now ?? Date.now;
  const entries: OutboxEntry[] = [];
  let seq = 0;
  let nextMessageId = 1;

  function record(kind: OutboxEntry["kind"], chatId: number, messageId: number, html: string, buttons?: Button[][]) {
    const text = stripTags(html);
    const entry: OutboxEntry = {
      seq: ++seq,
      at: new Date(now()).toISOString(),
      kind,
      chat_id: chatId,
      message_id: messageId,
      html,
      text,
      buttons: buttons ?? [],
    };
    entries.push(entry);
    if (entries.length > limit) entries.splice(0, entries.length - limit);
    const links = entry.buttons.flat().map((b) => ("url" in b ? ` [${b.text}: ${b.url}]` : ` [${b.text}]`));
    log(
      `[local bot] ${kind === "send" ? "→" : "✎"} chat ${chatId} #${messageId}: ${text.replace(/\n/g, " | ")}${links.join("")}`,
    );
  }

  const outbox: Messenger & { list(): OutboxEntry[]; clear(): void } = {
    async sendMessage(chatId, html, opts = {}) {
      const messageId = nextMessageId++;
      record("send", chatId, messageId, html, opts.buttons);
      return { message_id: messageId };
    },
    async editMessageText(chatId, messageId, html, opts = {}) {
      record("edit", chatId, messageId, html, opts.buttons);
    },
    /** Oldest first (the order they were sent). */
    list() {
      return [...entries];
    },
    clear() {
      entries.length = 0;
    },
  };
  return outbox;
}

export type LocalOutbox = ReturnType<typeof createLocalOutbox>;
