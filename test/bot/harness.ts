import { join } from "node:path";
import { type CreateBotOptions, createBot } from "../../bot/index.ts";
import type { BridgeCommand } from "../../bridge/protocol.ts";
import { type Clock, systemClock } from "../../server/clock.ts";
import { loadConfig } from "../../server/config/index.ts";
import { createContext } from "../../server/context.ts";
import type { EngineServiceOptions } from "../../server/services/engine/index.ts";
import { signalBody } from "../support/bodies.ts";
import { testDatabase } from "../support/engine.ts";
import { startTelegramFake, type TelegramFake } from "../support/telegram-fake.ts";
import { tempDir } from "../support/tmp.ts";

export const TOKEN = "123456:TEST-token-for-the-fake-bot-api";
export const ADMIN_ID = 1001;
export const TRADER_ID = 2002;
export const GROUP_A = -100111;
export const GROUP_B = -100222;

/**
 * One bot test world: a temp SQLite database, the real application context, the local fake of
 * the Bot API, and the bot talking to it over HTTP. `close()` stops and removes everything.
 */
export async function botWorld(
  options: {
    env?: Record<string, string>;
    bot?: Partial<Omit<CreateBotOptions, "ctx">>;
    clock?: Clock;
    /** The live signal engine's strategies and timings. */
    engine?: EngineServiceOptions;
  } = {},
) {
  const { dir, cleanup } = tempDir("sortie-bot-");
  const telegram: TelegramFake = await startTelegramFake();
  const config = loadConfig({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    ALERT_CHAT_IDS: `${GROUP_A},${GROUP_B}`,
    ADMIN_IDS: String(ADMIN_ID),
    MINIAPP_LINK: "https://t.me/sortie_test_bot/app",
    PUBLIC_URL: "https://sortie.example",
    HEARTBEAT_STALE_S: "30",
    DATABASE_PATH: join(dir, "sortie.db"),
    ...options.env,
  });
  const logs: string[] = [];
  const log = (msg: string, err?: unknown) => logs.push(err ? `${msg}: ${String(err)}` : msg);
  /** The process's parts over the database file: built again by `restart()`. */
  const database = await testDatabase(dir);
  const boot = async () => {
    const store = await database.open();
    const app = createContext({
      store,
      config,
      clock: options.clock ?? systemClock,
      log,
      ...(options.engine ? { engine: options.engine } : {}),
    });
    const sortie = createBot({
      ctx: app,
      token: TOKEN,
      apiRoot: telegram.apiRoot,
      log,
      receive: "manual",
      editIntervalMs: 200,
      tickMs: 50,
      ...options.bot,
    });
    return { store, app, sortie };
  };
  let { store, app, sortie } = await boot();
  await sortie.start();
  telegram.reset();

  let updateId = 1;
  const chatOf = (chatId: number) =>
    chatId < 0
      ? { id: chatId, type: "supergroup", title: "Sortie group" }
      : { id: chatId, type: "private", first_name: `User ${chatId}` };
  const fromOf = (userId: number) => ({
    id: userId,
    is_bot: false,
    first_name: `User ${userId}`,
    username: `user${userId}`,
  });

  return {
    telegram,
    get app() {
      return app;
    },
    get store() {
      return store;
    },
    get sortie() {
      return sortie;
    },
    logs,
    /** Stops the bot and closes the database, then starts both again on the same file (a restart). */
    async restart() {
      await sortie.stop();
      await store.close();
      ({ store, app, sortie } = await boot());
      await sortie.start();
    },
    /** A text message from `userId` in `chatId` (their private chat by default). */
    async send(userId: number, text: string, chatId = userId) {
      const command = /^\/\w+/.exec(text);
      await sortie.handleUpdate({
        update_id: updateId++,
        message: {
          message_id: updateId,
          date: Math.floor(Date.now() / 1000),
          chat: chatOf(chatId),
          from: fromOf(userId),
          text,
          ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
        },
      } as never);
    },
    /** A tap on an inline button with `data`, on message `messageId` in `chatId`. */
    async tap(userId: number, data: string, chatId = userId, messageId = 1) {
      await sortie.handleUpdate({
        update_id: updateId++,
        callback_query: {
          id: `cb${updateId}`,
          from: fromOf(userId),
          chat_instance: "ci",
          data,
          message: { message_id: messageId, date: 0, chat: chatOf(chatId), text: "…" },
        },
      } as never);
    },
    /** Texts the bot sent (sendMessage) to `chatId`, in order. */
    sentTo(chatId: number): string[] {
      return telegram
        .callsOf("sendMessage")
        .filter((c) => Number(c.payload.chat_id) === chatId)
        .map((c) => String(c.payload.text));
    },
    lastTo(chatId: number): string {
      return this.sentTo(chatId).at(-1) ?? "";
    },
    async close() {
      await sortie.stop();
      await telegram.close();
      await store.close();
      await database.drop();
      cleanup();
    },
  };
}

export type BotWorld = Awaited<ReturnType<typeof botWorld>>;

/** A valid signal input (BUY EURUSD, two targets, an hour to live). */
export function signalInput(overrides: Record<string, unknown> = {}) {
  return signalBody({
    take_profit: [1.089, 1.091],
    expires_in_min: 60,
    confidence: 89.5,
    shield_score: 8.9,
    shield_notes: "Institutional accumulation detected",
    ...overrides,
  });
}

/** A trader with a linked, online terminal and a balance, able to fire. */
export async function onlineTrader(world: BotWorld, userId: number, balance = 10_000) {
  const { store, app } = world;
  const now = new Date(app.clock.now()).toISOString();
  await store.users.ensureUser({ id: userId, first_name: `Trader ${userId}`, username: `t${userId}` }, now);
  await store.users.setTier(userId, "APEX", now);
  await store.users.setBridgeTokenHash(userId, `hash-${userId}`, now);
  await app.bridge.heartbeat(userId, {
    account: { login: userId, server: "Demo", currency: "USD", balance, equity: balance, trade_allowed: true },
  });
}

/** The terminal behind bridge row `userId` reports `command` filled (in full unless `volume`). */
export function fillCommand(
  world: BotWorld,
  userId: number,
  command: BridgeCommand,
  ticket: number,
  price: number,
  volume = command.volume,
) {
  return world.app.bridge.submitResult(userId, {
    id: command.id,
    status: "filled",
    retcode: 10009,
    ticket,
    price,
    volume,
  });
}
