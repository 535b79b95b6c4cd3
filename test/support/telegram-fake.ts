import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api) over real HTTP:
 * `POST /bot<token>/<method>` with JSON or form bodies, answering `{ok, result}` or
 * `{ok: false, error_code, description, parameters}`. It records every call and has knobs for
 * the failures a bot must survive: 429 with retry_after, 5xx, users who blocked the bot.
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
}

export interface FakeMessage {
  message_id: number;
  chat_id: number;
  text: string;
  reply_markup: unknown;
}

export const FAKE_BOT = { id: 777000, is_bot: true, first_name: "Sortie", username: "sortie_test_bot" } as const;

type Payload = Record<string, unknown>;

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

export async function startTelegramFake(options: { longPollMs?: number } = {}) {
  const longPollMs = options.longPollMs ?? 300;
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
    const body = {
      ok: false,
      error_code: f.code,
      description,
      ...(f.retryAfter === undefined ? {} : { parameters: { retry_after: f.retryAfter } }),
    };
    res.writeHead(f.code, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) =>
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result }));

  async function answer(method: string, payload: Payload, req: IncomingMessage, res: ServerResponse) {
    const chatId = Number(payload.chat_id);
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
      calls.push({ method, payload, at: Date.now() });
      const queued = failures.get(method);
      const failure = queued?.shift();
      if (failure) return fail(res, failure);
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
    },
    close(): Promise<void> {
      for (const wake of [...pollers]) wake();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type TelegramFake = Awaited<ReturnType<typeof startTelegramFake>>;
