import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) over real HTTP:
 * `POST /bot<token>/<method>` with JSON or form bodies, answering `{ok, result}` or
 * `{ok: false, error_code, description, parameters}`. It records every call and has knobs for
 * the failures a bot must survive: 429 with retry_after, 5xx, users who blocked the bot, groups
 * upgraded to supergroups. With `limits` it also enforces Telegram's sending limits as a sliding
 * window (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * a message call past the overall, per-private-chat or per-group limit answers 429 with
 * retry_after and is not performed. Off unless asked (other tests send in bursts).
 */

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  at: number;
}

export interface Failure {
  code: number;
  description?: string;
  retryAfter?: number;
  /** Extra ResponseParameters (e.g. migrate_to_chat_id). */
  parameters?: Record<string, unknown>;
}

export interface FakeMessage {
  message_id: number;
  chat_id: number;
  text: string;
  reply_markup: unknown;
}

export const FAKE_BOT = { id: 777000, is_bot: true, first_name: "Sortie", username: "sortie_test_bot" } as const;

type Payload = Record<string, unknown>;

/** Telegram's sending limits as the fake enforces them (each optional; unset = unlimited). */
export interface FakeLimits {
  /** Message calls per second, all chats together (Telegram: about 30). */
  perSecond?: number;
  /** Per private chat per second (Telegram: about 1). */
  privatePerSecond?: number;
  /** Per group per minute (Telegram: 20). */
  groupPerMinute?: number;
}

/** What counts against the limits: calls that put or change a message in a chat. */
const isMessageCall = (method: string) => /^(send|edit|copy|forward)/.test(method) && method !== "sendChatAction";

/** Arrival times of accepted calls in a sliding window; `retryAfterS` when one more would exceed `limit`. */
class ArrivalWindow {
  private readonly times: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
  private prune(now: number) {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift();
  }
  retryAfterS(now: number): number | null {
    this.prune(now);
    if (this.times.length < this.limit) return null;
    return Math.max(1, Math.ceil((this.times[0]! + this.windowMs - now) / 1000));
  }
  add(now: number) {
    this.times.push(now);
  }
}

function parseBody(raw: string, type: string | undefined): Payload {
  if (raw === "") return {};
  if (type?.includes("application/json")) return JSON.parse(raw) as Payload;
  const out: Payload = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    try {
      out[key] = JSON.parse(value);
    } catch {
      out[key] = value;
    }
  }
  return out;
}

export async function startTelegramFake(options: { longPollMs?: number; limits?: FakeLimits } = {}) {
  const longPollMs = options.longPollMs ?? 300;
  let limits: FakeLimits = options.limits ?? {};
  let overall: ArrivalWindow | null = null;
  const perChat = new Map<number, ArrivalWindow>();
  const setLimits = (next: FakeLimits) => {
    limits = next;
    overall = limits.perSecond ? new ArrivalWindow(limits.perSecond, 1000) : null;
    perChat.clear();
  };
  setLimits(limits);
  /** Every 429 the limits produced (not those queued with failNext). */
  const limited: Array<{ method: string; chat_id: number; at: number; retry_after: number }> = [];
  /** Groups upgraded to a supergroup: old id → new id. */
  const migrated = new Map<number, number>();

  /** 429 seconds when this message call exceeds a limit; otherwise counts it and returns null. */
  function overLimit(method: string, chatId: number, now: number): number | null {
    if (!isMessageCall(method) || !Number.isFinite(chatId)) return null;
    let chat = perChat.get(chatId);
    const chatLimit = chatId > 0 ? limits.privatePerSecond : limits.groupPerMinute;
    if (!chat && chatLimit) {
      chat = new ArrivalWindow(chatLimit, chatId > 0 ? 1000 : 60_000);
      perChat.set(chatId, chat);
    }
    const wait = Math.max(overall?.retryAfterS(now) ?? 0, chat?.retryAfterS(now) ?? 0);
    if (wait > 0) return wait;
    overall?.add(now);
    chat?.add(now);
    return null;
  }
  const calls: RecordedCall[] = [];
  const failures = new Map<string, Failure[]>();
  const blocked = new Set<number>();
  const messages = new Map<string, FakeMessage>();
  const updates: Array<Record<string, unknown> & { update_id: number }> = [];
  const pollers = new Set<() => void>();
  let nextMessageId = 1;
  let nextUpdateId = 1;

  const key = (chatId: unknown, messageId: unknown) => `${chatId}:${messageId}`;
  const fail = (res: ServerResponse, f: Failure) => {
    const description =
      f.description ??
      (f.code === 429 ? `Too Many Requests: retry after ${f.retryAfter ?? 1}` : `Internal Server Error (${f.code})`);
    const parameters = { ...f.parameters, ...(f.retryAfter === undefined ? {} : { retry_after: f.retryAfter }) };
    const body = {
      ok: false,
      error_code: f.code,
      description,
      ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    };
    res.writeHead(f.code, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) =>
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result }));

  async function answer(method: string, payload: Payload, req: IncomingMessage, res: ServerResponse) {
    const chatId = Number(payload.chat_id);
    const movedTo = migrated.get(chatId);
    if (movedTo !== undefined && isMessageCall(method)) {
      return fail(res, {
        code: 400,
        description: "Bad Request: group chat was upgraded to a supergroup chat",
        parameters: { migrate_to_chat_id: movedTo },
      });
    }
    switch (method) {
      case "getMe":
        return ok(res, { ...FAKE_BOT, can_join_groups: true, can_read_all_group_messages: false });
      case "getUpdates":
        return ok(res, await takeUpdates(payload, req));
      case "sendMessage": {
        if (blocked.has(chatId)) return fail(res, { code: 403, description: "Forbidden: bot was blocked by the user" });
        const message: FakeMessage = {
          message_id: nextMessageId++,
          chat_id: chatId,
          text: String(payload.text),
          reply_markup: payload.reply_markup ?? null,
        };
        messages.set(key(chatId, message.message_id), message);
        return ok(res, {
          message_id: message.message_id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId < 0 ? "supergroup" : "private" },
          text: message.text,
          ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
        });
      }
      case "editMessageText": {
        const existing = messages.get(key(chatId, payload.message_id));
        if (!existing) return fail(res, { code: 400, description: "Bad Request: message to edit not found" });
        const markup = payload.reply_markup ?? null;
        if (existing.text === payload.text && JSON.stringify(existing.reply_markup) === JSON.stringify(markup)) {
          return fail(res, { code: 400, description: "Bad Request: message is not modified" });
        }
        existing.text = String(payload.text);
        existing.reply_markup = markup;
        return ok(res, { message_id: existing.message_id, chat: { id: chatId }, text: existing.text });
      }
      default:
        return ok(res, true);
    }
  }

  function takeUpdates(payload: Payload, req: IncomingMessage): Promise<unknown[]> {
    const offset = Number(payload.offset ?? 0);
    const ready = () => updates.filter((u) => u.update_id >= offset);
    const now = ready();
    const waitS = Number(payload.timeout ?? 0);
    if (now.length > 0 || waitS <= 0) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pollers.delete(done);
        resolve(ready());
      };
      const timer = setTimeout(done, Math.min(waitS * 1000, longPollMs));
      pollers.add(done);
      req.on("close", done);
    });
  }

  const server: Server = createServer((req, res) => {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    if (!match || req.method !== "POST") {
      res.writeHead(404).end(JSON.stringify({ ok: false, error_code: 404, description: "Not Found" }));
      return;
    }
    const method = match[2]!;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const payload = parseBody(Buffer.concat(chunks).toString("utf8"), req.headers["content-type"]);
      const at = Date.now();
      calls.push({ method, payload, at });
      const queued = failures.get(method);
      const failure = queued?.shift();
      if (failure) return fail(res, failure);
      const chatId = Number(payload.chat_id);
      const retryAfter = overLimit(method, chatId, at);
      if (retryAfter !== null) {
        limited.push({ method, chat_id: chatId, at, retry_after: retryAfter });
        return fail(res, { code: 429, retryAfter });
      }
      answer(method, payload, req, res).catch((err: unknown) => {
        res.writeHead(500).end(JSON.stringify({ ok: false, error_code: 500, description: String(err) }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    /** Recorded calls of one method (getUpdates excluded unless asked). */
    callsOf(method: string): RecordedCall[] {
      return calls.filter((c) => c.method === method);
    },
    /** The next `times` calls of `method` fail with `failure` (429 with retryAfter, 500, …). */
    failNext(method: string, failure: Failure, times = 1) {
      const list = failures.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(failure);
      failures.set(method, list);
    },
    /** sendMessage to this chat answers 403 "bot was blocked by the user". */
    blockUser(chatId: number) {
      blocked.add(chatId);
    },
    unblockUser(chatId: number) {
      blocked.delete(chatId);
    },
    /** Message calls to `oldChatId` answer 400 with migrate_to_chat_id `newChatId`, as after a supergroup upgrade. */
    migrateChat(oldChatId: number, newChatId: number) {
      migrated.set(oldChatId, newChatId);
    },
    /** Enforce these limits from now on (windows start empty); `{}` turns them off. */
    setLimits,
    /** The 429 answers the limits gave, in order. */
    limited,
    message(chatId: number, messageId: number): FakeMessage | undefined {
      return messages.get(key(chatId, messageId));
    },
    /** Queues an update for getUpdates (update_id assigned when missing); wakes a waiting poll. */
    pushUpdate(update: Record<string, unknown>) {
      const update_id = typeof update.update_id === "number" ? update.update_id : nextUpdateId++;
      updates.push({ ...update, update_id });
      for (const wake of [...pollers]) wake();
      return update_id;
    },
    /** Polls until `predicate` holds (or throws after `timeoutMs`). */
    async waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
      const start = Date.now();
      while (!(await predicate())) {
        if (Date.now() - start > timeoutMs) throw new Error("telegram fake: condition not met in time");
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    reset() {
      calls.length = 0;
      failures.clear();
      limited.length = 0;
    },
    close(): Promise<void> {
      for (const wake of [...pollers]) wake();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type TelegramFake = Awaited<ReturnType<typeof startTelegramFake>>;
