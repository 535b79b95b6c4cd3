import type {
  BotCommand,
  Chat,
  InlineKeyboardButton,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  User,
} from "grammy/types";
import { EntityParseError, parseHtml, userEntities } from "./html.ts";

/** What the Bot API methods read and change in the local Telegram. */
export interface MethodDeps {
  botUser: User;
  chats: ReadonlyMap<number, Chat>;
  find(chatId: number, messageId: number): Message | null;
  post(chatId: number, fields: Partial<Message>): Message;
  replace(edited: Message): Message;
  remove(chatId: number, messageId: number): boolean;
  answerCallback(queryId: string, text: string, showAlert: boolean): boolean;
  setCommands(scope: string, commands: BotCommand[] | null): void;
  /** Unix seconds. */
  now(): number;
}

type Payload = Record<string, unknown>;

/** A Bot API failure as Telegram answers it (`{ok: false, error_code, description}`). */
export class BotApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new BotApiError(400, `Bad Request: ${what}`);

/** Telegram's limit on a message's text after entity parsing (https://core.telegram.org/bots/api#sendmessage). */
const MAX_TEXT = 4096;

function chatOf(deps: MethodDeps, payload: Payload): Chat {
  const raw = payload.chat_id;
  const id = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  const chat = deps.chats.get(id);
  if (!chat) throw badRequest("chat not found");
  return chat;
}

/** The message's text and entities, as Telegram stores them after applying `parse_mode`. */
function formatted(payload: Payload): { text: string; entities?: MessageEntity[] } {
  if (typeof payload.text !== "string") throw badRequest("message text is empty");
  let text = payload.text;
  let entities = Array.isArray(payload.entities) ? (payload.entities as MessageEntity[]) : [];
  if (payload.parse_mode === "HTML") {
    try {
      ({ text, entities } = parseHtml(payload.text));
    } catch (err) {
      if (err instanceof EntityParseError) throw badRequest(`can't parse entities: ${err.message}`);
      throw err;
    }
  } else if (payload.parse_mode !== undefined) {
    // Sortie's bot only speaks HTML; say plainly that this one is not emulated.
    throw badRequest(`parse_mode ${JSON.stringify(payload.parse_mode)} is not supported by local mode (use HTML)`);
  }
  if (text.trim() === "") throw badRequest("message text is empty");
  if (text.length > MAX_TEXT) throw badRequest("message is too long");
  // Telegram also marks the /commands in a message (tappable in its clients), except in code.
  const code = entities.filter((e) => e.type === "code" || e.type === "pre");
  const commands = userEntities(text).filter(
    (c) => !code.some((e) => c.offset < e.offset + e.length && e.offset < c.offset + c.length),
  );
  entities = [...entities, ...commands].sort((a, b) => a.offset - b.offset || b.length - a.length);
  return entities.length > 0 ? { text, entities } : { text };
}

const byteLength = (s: string) => Buffer.byteLength(s);

function checkButton(button: InlineKeyboardButton, chat: Chat): void {
  if (typeof button.text !== "string" || button.text === "") throw badRequest("BUTTON_TEXT_EMPTY");
  if ("callback_data" in button) {
    const data = button.callback_data;
    if (typeof data !== "string" || byteLength(data) < 1 || byteLength(data) > 64)
      throw badRequest("BUTTON_DATA_INVALID");
    return;
  }
  if ("url" in button) {
    if (typeof button.url !== "string" || !/^(https?|tg):\/\/\S+$/i.test(button.url))
      throw badRequest("BUTTON_URL_INVALID");
    return;
  }
  if ("web_app" in button) {
    // Telegram allows web_app buttons in private chats only, and only for https URLs.
    if (chat.type !== "private") throw badRequest("BUTTON_TYPE_INVALID");
    if (!/^https:\/\//.test(button.web_app?.url ?? "")) throw badRequest("BUTTON_URL_INVALID");
    return;
  }
  throw badRequest("can't parse inline keyboard button: a button needs callback_data, url or web_app here");
}

/** The inline keyboard of a call (undefined: none, or an empty one, which removes buttons on an edit). */
function keyboardOf(payload: Payload, chat: Chat): InlineKeyboardMarkup | undefined {
  const markup = payload.reply_markup as { inline_keyboard?: unknown } | undefined;
  if (markup === undefined) return undefined;
  const rows = markup?.inline_keyboard;
  if (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  for (const row of rows as InlineKeyboardButton[][]) for (const button of row) checkButton(button, chat);
  const nonEmpty = (rows as InlineKeyboardButton[][]).filter((row) => row.length > 0);
  return nonEmpty.length > 0 ? { inline_keyboard: nonEmpty } : undefined;
}

function editable(deps: MethodDeps, payload: Payload): Message {
  if (payload.inline_message_id !== undefined) throw badRequest("inline messages are not supported by local mode");
  const chat = chatOf(deps, payload);
  const message = deps.find(chat.id, Number(payload.message_id));
  if (!message) throw badRequest("message to edit not found");
  if (message.from?.id !== deps.botUser.id) throw badRequest("message can't be edited");
  return message;
}

/** An edit that changes nothing is refused, as Telegram does (bots rely on telling it apart). */
function edited(deps: MethodDeps, before: Message, after: Message): Message {
  const same = (m: Message) => JSON.stringify([m.text, m.entities ?? [], m.reply_markup ?? null]);
  if (same(before) === same(after)) {
    throw badRequest(
      "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    );
  }
  return deps.replace({ ...after, edit_date: deps.now() } as Message);
}

function without<T extends object>(value: T, ...keys: string[]): T {
  const copy = { ...value } as Record<string, unknown>;
  for (const key of keys) delete copy[key];
  return copy as T;
}

function scopeKey(scope: unknown): string {
  const s = (scope ?? { type: "default" }) as { type?: string; chat_id?: unknown };
  return s.type === "chat" ? `chat:${Number(s.chat_id)}` : String(s.type ?? "default");
}

/**
 * The Bot API methods Sortie's bot calls, with Telegram's rules and error texts for what a bot
 * can get wrong (unknown chat, bad HTML, an edit of nothing, an invalid button). Others answer
 * 404 like an unknown method, so a new call in the bot is noticed rather than silently faked.
 */
export function callBotApi(deps: MethodDeps, method: string, payload: Payload): unknown {
  switch (method) {
    case "getMe":
      return {
        ...deps.botUser,
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
      };
    case "sendMessage": {
      const chat = chatOf(deps, payload);
      const content = formatted(payload);
      const markup = keyboardOf(payload, chat);
      const reply = payload.reply_parameters as
        | { message_id?: number; allow_sending_without_reply?: boolean }
        | undefined;
      const replied = reply?.message_id === undefined ? null : deps.find(chat.id, Number(reply.message_id));
      if (reply?.message_id !== undefined && !replied && !reply.allow_sending_without_reply) {
        throw badRequest("message to be replied not found");
      }
      return deps.post(chat.id, {
        ...content,
        ...(markup ? { reply_markup: markup } : {}),
        ...(replied ? { reply_to_message: without(replied, "reply_to_message") as Message } : {}),
      } as Partial<Message>);
    }
    case "editMessageText": {
      const before = editable(deps, payload);
      const content = formatted(payload);
      const markup = keyboardOf(payload, before.chat);
      return edited(deps, before, {
        ...without(before, "text", "entities", "reply_markup"),
        ...content,
        ...(markup ? { reply_markup: markup } : {}),
      } as Message);
    }
    case "editMessageReplyMarkup": {
      const before = editable(deps, payload);
      const markup = keyboardOf(payload, before.chat);
      return edited(deps, before, {
        ...without(before, "reply_markup"),
        ...(markup ? { reply_markup: markup } : {}),
      } as Message);
    }
    case "deleteMessage": {
      const chat = chatOf(deps, payload);
      if (!deps.remove(chat.id, Number(payload.message_id))) throw badRequest("message to delete not found");
      return true;
    }
    case "answerCallbackQuery": {
      const text = typeof payload.text === "string" ? payload.text : "";
      if (!deps.answerCallback(String(payload.callback_query_id), text, payload.show_alert === true)) {
        throw badRequest("query is too old and response timeout expired or query ID is invalid");
      }
      return true;
    }
    case "setMyCommands": {
      if (!Array.isArray(payload.commands)) throw badRequest('parameter "commands" is required');
      deps.setCommands(scopeKey(payload.scope), payload.commands as BotCommand[]);
      return true;
    }
    case "deleteMyCommands":
      deps.setCommands(scopeKey(payload.scope), null);
      return true;
    case "sendChatAction":
      chatOf(deps, payload);
      return true;
    case "deleteWebhook":
    case "setWebhook":
    case "close":
    case "logOut":
      return true;
    default:
      throw new BotApiError(404, "Not Found: method not found");
  }
}
