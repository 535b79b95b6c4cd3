import { readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { Type } from "typebox";
import { ApiError, badRequest, notFound } from "../../errors.ts";
import { SSE_HEADERS } from "../../events/sse.ts";
import type { RouteLimits } from "../../rate-limits.ts";
import type { App } from "../../routes/types.ts";
import { errorResponses } from "../../schemas.ts";
import { BotApiError, type ConsoleEvent, type LocalTelegram } from "../telegram/index.ts";

/** The console's browser modules (plain JS, type-checked with JSDoc), served as they are. */
const CLIENT_DIR = join(import.meta.dirname, "client");
const CLIENT_FILES = ["index.js", "render.js"];

/** Where grammY's `apiRoot` points in local mode: `POST <apiRoot>/bot<token>/<method>`. */
export const BOT_API_PREFIX = "/local/telegram";

export interface ConsoleDeps {
  telegram: LocalTelegram;
  /** The bot's token (random per start): the Bot API endpoint answers only the bot. */
  botToken: string;
  /** False until the bot has started (the console's actions wait for it). */
  ready(): boolean;
  /** The Mini App link that opens `url` (a link of the bot's buttons) as `userId`, or null. */
  openAs(userId: number, url: string): string | null;
  /** How each person is introduced in the console (name, role or tier). */
  describe(userId: number): string;
}

const UserId = Type.Integer({ description: "a person of local mode (GET /local lists them)" });
const ChatId = Type.Integer({ description: "their private chat (= user_id) or a group" });

/**
 * The console of `/local` (local mode only): the Bot API endpoint the real bot talks to, the
 * actions of a person (send a message, tap a button, open a Mini App link as them), and a
 * Server-Sent Events stream of everything that happens in the chats.
 */
export function consoleRoutes(app: App, deps: ConsoleDeps): void {
  const { telegram } = deps;
  const streams = new Set<ServerResponse>();
  app.addHook("preClose", async () => {
    for (const res of streams) res.end();
    streams.clear();
  });

  app.post(
    `${BOT_API_PREFIX}/:bot/:method`,
    // No response schema: answers are Telegram's own JSON ({ok, result} or {ok: false, error_code,
    // description}), and an unparsable body still gets the app's usual 400 from its error handler.
    {
      schema: { hide: true, params: Type.Object({ bot: Type.String(), method: Type.String() }) },
      // The in-process bot's own calls (start-up, alerts, edits, DMs) come from 127.0.0.1: counted per
      // address, they spent the RATE_LIMIT_IP_PER_MIN budget of every client on this machine, and a
      // client that had spent it got the bot's alerts refused. A wrong token still answers 401.
      config: { addressLimit: false } satisfies RouteLimits,
    },
    async (req, reply) => {
      if (req.params.bot !== `bot${deps.botToken}`) {
        return reply.code(401).send({ ok: false, error_code: 401, description: "Unauthorized" });
      }
      const payload = (req.body ?? {}) as Record<string, unknown>;
      try {
        return { ok: true, result: telegram.call(req.params.method, payload) };
      } catch (err) {
        if (!(err instanceof BotApiError)) throw err;
        return reply.code(err.code).send({ ok: false, error_code: err.code, description: err.description });
      }
    },
  );

  for (const file of CLIENT_FILES) {
    const source = readFileSync(join(CLIENT_DIR, file), "utf8");
    app.get(`/local/console/${file}`, { schema: { hide: true } }, async (_req, reply) =>
      reply.header("content-type", "text/javascript; charset=utf-8").header("cache-control", "no-cache").send(source),
    );
  }

  /** Who may act where: a known person, in their own private chat or a group. */
  const checkActor = (userId: number, chatId: number) => {
    if (!deps.ready()) throw new ApiError("UNAVAILABLE", "The local bot is still starting: try again in a moment");
    if (!telegram.people().some((p) => p.id === userId))
      throw badRequest(`user_id ${userId} is not a person of local mode`, "user_id");
    const chat = telegram.chats().find((c) => c.id === chatId);
    if (!chat || (chat.type === "private" && chatId !== userId)) {
      throw badRequest(`chat_id ${chatId} is not user ${userId}'s private chat or a group`, "chat_id");
    }
  };

  app.post(
    "/local/console/messages",
    {
      schema: {
        hide: true,
        body: Type.Object({ user_id: UserId, chat_id: ChatId, text: Type.String({ minLength: 1, maxLength: 4096 }) }),
        response: { 201: Type.Object({ message_id: Type.Integer() }), ...errorResponses(400, 503) },
      },
    },
    async (req, reply) => {
      const { user_id, chat_id, text } = req.body;
      checkActor(user_id, chat_id);
      if (text.trim() === "") throw badRequest("text must not be blank", "text");
      const message = telegram.send(user_id, chat_id, text);
      return reply.code(201).send({ message_id: message.message_id });
    },
  );

  app.post(
    "/local/console/callbacks",
    {
      schema: {
        hide: true,
        body: Type.Object({
          user_id: UserId,
          chat_id: ChatId,
          message_id: Type.Integer({ minimum: 1 }),
          data: Type.String({ minLength: 1, maxLength: 64 }),
        }),
        response: { 202: Type.Object({ callback_query_id: Type.String() }), ...errorResponses(400, 404, 503) },
      },
    },
    async (req, reply) => {
      const { user_id, chat_id, message_id, data } = req.body;
      checkActor(user_id, chat_id);
      let id: string;
      try {
        id = telegram.press(user_id, chat_id, message_id, data);
      } catch (err) {
        if (err instanceof RangeError) throw notFound(`A button with this data under message ${message_id}`);
        throw err;
      }
      return reply.code(202).send({ callback_query_id: id });
    },
  );

  app.get(
    "/local/console/open",
    {
      schema: {
        hide: true,
        querystring: Type.Object({ user_id: UserId, url: Type.String({ minLength: 1, maxLength: 2048 }) }),
        response: { ...errorResponses(400) },
      },
    },
    async (req, reply) => {
      const { user_id, url } = req.query;
      if (!telegram.people().some((p) => p.id === user_id))
        throw badRequest(`user_id ${user_id} is not a person of local mode`, "user_id");
      const target = deps.openAs(user_id, url);
      if (!target) throw badRequest("url must be a link of one of the bot's buttons (http or https)", "url");
      return reply.redirect(target);
    },
  );

  app.get("/local/console/events", { schema: { hide: true } }, async (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, SSE_HEADERS);
    const write = (name: string, data: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    const menus = () =>
      Object.fromEntries(
        telegram.people().flatMap((p) =>
          telegram
            .chats()
            .filter((c) => c.type !== "private" || c.id === p.id)
            .map((c) => [`${p.id}:${c.id}`, telegram.commandsFor(c.id)]),
        ),
      );
    write("hello", {
      bot: telegram.bot,
      people: telegram.people().map((p) => ({ id: p.id, first_name: p.first_name, about: deps.describe(p.id) })),
      chats: telegram.chats(),
      messages: telegram.messages(),
      menus: menus(),
    });
    const unsubscribe = telegram.subscribe((event: ConsoleEvent) => {
      if (event.type === "commands") write("menus", menus());
      else write(event.type, event);
    });
    const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
    ping.unref();
    streams.add(res);
    const close = () => {
      clearInterval(ping);
      unsubscribe();
      streams.delete(res);
    };
    req.raw.on("close", close);
    res.on("close", close);
  });
}
