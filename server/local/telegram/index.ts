import type { BotCommand, Chat, InlineKeyboardButton, Message, Update, User } from "grammy/types";
import { userEntities } from "./html.ts";
import { callBotApi } from "./methods.ts";

export { BotApiError } from "./methods.ts";

/** A person of the local Telegram (a demo admin or trader). */
export interface LocalPerson {
  id: number;
  first_name: string;
  username?: string;
}

/** What the console is told, live: a message posted or edited, one deleted, a button's answer. */
export type ConsoleEvent =
  | { type: "message"; message: Message }
  | { type: "deleted"; chat_id: number; message_id: number }
  | { type: "callback_answer"; user_id: number; text: string; show_alert: boolean }
  | { type: "commands" };

export interface LocalTelegramOptions {
  bot: { id: number; first_name: string; username: string };
  people: readonly LocalPerson[];
  groups: ReadonlyArray<{ id: number; title: string }>;
  /** Gets each update a person's action makes (the bot's handleUpdate). */
  deliver: (update: Update) => void;
  now: () => number;
  log?: (line: string) => void;
  /** Messages kept per chat (the oldest forgotten). Default 300. */
  historyPerChat?: number;
}

/**
 * Local mode's Telegram: the chats between the demo people and the bot, as Telegram keeps them.
 * People act through `send` and `press`, which store what they did and hand the bot a real
 * `Update`; the bot answers through the Bot API (`call`, served over HTTP as grammY's apiRoot),
 * whose results are the messages stored here. Every change goes to the console's subscribers.
 */
export function createLocalTelegram(options: LocalTelegramOptions) {
  const { now, deliver } = options;
  const log = options.log ?? (() => undefined);
  const historyPerChat = options.historyPerChat ?? 300;
  const botUser: User = { ...options.bot, is_bot: true };
  const people = new Map(options.people.map((p) => [p.id, { ...p, is_bot: false, language_code: "en" } as User]));
  const chats = new Map<number, Chat>();
  for (const p of options.people) {
    chats.set(p.id, {
      id: p.id,
      type: "private",
      first_name: p.first_name,
      ...(p.username ? { username: p.username } : {}),
    });
  }
  for (const g of options.groups) chats.set(g.id, { id: g.id, type: "supergroup", title: g.title });
  const history = new Map<number, Message[]>([...chats.keys()].map((id) => [id, []]));
  const nextMessageId = new Map<number, number>();
  const pendingCallbacks = new Map<string, { userId: number }>();
  const commands = new Map<string, BotCommand[]>();
  const listeners = new Set<(event: ConsoleEvent) => void>();
  let updateId = 0;
  let callbackSeq = 0;

  const emit = (event: ConsoleEvent) => {
    for (const listener of listeners) listener(event);
  };
  const unixNow = () => Math.floor(now() / 1000);
  const nameOf = (chatId: number) => {
    const chat = chats.get(chatId);
    return chat?.type === "private"
      ? `${chat.first_name} (${chatId})`
      : `${(chat as { title?: string })?.title} (${chatId})`;
  };

  function store(message: Message): Message {
    const list = history.get(message.chat.id)!;
    list.push(message);
    if (list.length > historyPerChat) list.splice(0, list.length - historyPerChat);
    emit({ type: "message", message });
    return message;
  }

  function newMessage(chatId: number, from: User, fields: Partial<Message>): Message {
    const id = (nextMessageId.get(chatId) ?? 0) + 1;
    nextMessageId.set(chatId, id);
    return store({ message_id: id, from, chat: chats.get(chatId)!, date: unixNow(), ...fields } as Message);
  }

  const find = (chatId: number, messageId: number) =>
    history.get(chatId)?.find((m) => m.message_id === messageId) ?? null;

  /** Replaces a stored message with its edited form (same place in the chat). */
  function replace(edited: Message): Message {
    const list = history.get(edited.chat.id)!;
    const index = list.findIndex((m) => m.message_id === edited.message_id);
    if (index >= 0) list[index] = edited;
    emit({ type: "message", message: edited });
    return edited;
  }

  function person(userId: number): User {
    const user = people.get(userId);
    if (!user) throw new RangeError(`user_id ${userId} is not a person of local mode`);
    return user;
  }

  /** A person may write in their own private chat with the bot and in the groups. */
  function chatFor(userId: number, chatId: number): Chat {
    const chat = chats.get(chatId);
    if (!chat || (chat.type === "private" && chatId !== userId)) {
      throw new RangeError(`chat_id ${chatId} is not a chat of user ${userId}`);
    }
    return chat;
  }

  return {
    bot: botUser,
    people: () => [...people.values()],
    chats: () => [...chats.values()],
    /** Everything kept, oldest first per chat (the console's first frame). */
    messages: () => [...history.values()].flat(),
    messageCount: () => [...history.values()].reduce((n, list) => n + list.length, 0),
    /** The command menu a person sees in a chat, as Telegram picks it by scope. */
    commandsFor(chatId: number): BotCommand[] {
      const isPrivate = chats.get(chatId)?.type === "private";
      const scopes = isPrivate
        ? [`chat:${chatId}`, "all_private_chats", "default"]
        : [`chat:${chatId}`, "all_group_chats", "default"];
      for (const scope of scopes) {
        const list = commands.get(scope);
        if (list) return list;
      }
      return [];
    },
    subscribe(listener: (event: ConsoleEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /**
     * A person types `text` in a chat. In a group the bot only gets commands (privacy mode, as a
     * bot added to a group has by default); in the private chat it gets every message.
     */
    send(userId: number, chatId: number, text: string): Message {
      const from = person(userId);
      const chat = chatFor(userId, chatId);
      const entities = userEntities(text);
      const message = newMessage(chatId, from, { text, ...(entities.length > 0 ? { entities } : {}) });
      if (chat.type === "private" || entities.some((e) => e.offset === 0)) {
        deliver({ update_id: ++updateId, message } as Update);
      }
      return message;
    },
    /** A person taps an inline button with callback data under one of the bot's messages. */
    press(userId: number, chatId: number, messageId: number, data: string): string {
      const from = person(userId);
      chatFor(userId, chatId);
      const message = find(chatId, messageId);
      const buttons: InlineKeyboardButton[] = message?.reply_markup?.inline_keyboard.flat() ?? [];
      if (!message || !buttons.some((b) => "callback_data" in b && b.callback_data === data)) {
        throw new RangeError(`message ${messageId} in chat ${chatId} has no button with this data`);
      }
      const id = `${Date.now().toString(36)}${(++callbackSeq).toString(36)}`;
      pendingCallbacks.set(id, { userId });
      // A query the bot never answers is forgotten after a while (Telegram expires them too).
      if (pendingCallbacks.size > MAX_PENDING_CALLBACKS) pendingCallbacks.delete(pendingCallbacks.keys().next().value!);
      deliver({
        update_id: ++updateId,
        callback_query: { id, from, message, chat_instance: String(chatId), data },
      } as Update);
      return id;
    },
    /** One Bot API call by the bot: its result, or a BotApiError as Telegram would answer. */
    call(method: string, payload: Record<string, unknown>): unknown {
      return callBotApi(
        {
          botUser,
          chats,
          find,
          post: (chatId, fields) => {
            const message = newMessage(chatId, botUser, fields);
            log(`[local bot] → ${nameOf(chatId)} #${message.message_id}: ${oneLine(message.text ?? "")}`);
            return message;
          },
          replace: (edited) => {
            log(`[local bot] ✎ ${nameOf(edited.chat.id)} #${edited.message_id}: ${oneLine(edited.text ?? "")}`);
            return replace(edited);
          },
          remove: (chatId, messageId) => {
            const list = history.get(chatId) ?? [];
            const index = list.findIndex((m) => m.message_id === messageId);
            if (index < 0) return false;
            list.splice(index, 1);
            emit({ type: "deleted", chat_id: chatId, message_id: messageId });
            return true;
          },
          answerCallback: (queryId, text, showAlert) => {
            const pending = pendingCallbacks.get(queryId);
            if (!pending) return false;
            pendingCallbacks.delete(queryId);
            if (text) emit({ type: "callback_answer", user_id: pending.userId, text, show_alert: showAlert });
            return true;
          },
          setCommands: (scope, list) => {
            if (list === null) commands.delete(scope);
            else commands.set(scope, list);
            emit({ type: "commands" });
          },
          now: unixNow,
        },
        method,
        payload,
      );
    },
  };
}

const MAX_PENDING_CALLBACKS = 1000;

const oneLine = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}…` : text).replace(/\n/g, " | ");

export type LocalTelegram = ReturnType<typeof createLocalTelegram>;
