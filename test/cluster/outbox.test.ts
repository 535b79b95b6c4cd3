/**
 * The bot's outbox with two instances on one PostgreSQL (issue #20): only the leader's sender
 * drains it. A reply made on the other instance (a webhook update answered there) is stored,
 * announced with NOTIFY, sent by the leader's sender, and its answer reaches the handler that
 * waits for it on the other instance. Two application contexts in this process, each with its own
 * hub, pool and event relay: the same wiring as two `server/main.ts` processes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot, type SortieBot } from "../../bot/index.ts";
import type { PgStore } from "../../db/postgres/index.ts";
import { systemClock } from "../../server/clock.ts";
import { startEventRelay } from "../../server/cluster/index.ts";
import { loadConfig } from "../../server/config/index.ts";
import { createContext } from "../../server/context.ts";
import { type TestDatabase, testDatabase } from "../support/engine.ts";
import { TEST_BOT_TOKEN } from "../support/harness.ts";
import { startTelegramFake, type TelegramFake } from "../support/telegram-fake.ts";
import { privateCommandUpdate } from "../support/telegram-updates.ts";
import { tempDir } from "../support/tmp.ts";
import { waitFor } from "../support/wait.ts";

const USER = 880_001;

describe("outbox across instances", () => {
  const tmp = tempDir("sortie-cluster-outbox-");
  let db: TestDatabase;
  let telegram: TelegramFake;
  const stops: Array<() => Promise<void>> = [];

  async function instance() {
    const store = (await db.open()) as PgStore;
    const config = loadConfig({
      BOT_TOKEN: TEST_BOT_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_URL: db.location,
      ALERT_CHAT_IDS: "",
    });
    const app = createContext({ store, config, clock: systemClock });
    const relay = await startEventRelay({ url: db.location, pool: store.db.pool, hub: app.hub });
    const bot = createBot({
      ctx: app,
      token: TEST_BOT_TOKEN,
      apiRoot: telegram.apiRoot,
      log: () => undefined,
      receive: "manual",
    });
    stops.unshift(async () => {
      await bot.stop();
      await relay.stop();
      await store.close();
    });
    return { store, app, bot };
  }
  let leader: { bot: SortieBot; store: PgStore };
  let other: { bot: SortieBot; store: PgStore };

  beforeAll(async () => {
    db = await testDatabase(tmp.dir);
    telegram = await startTelegramFake();
    leader = await instance();
    other = await instance();
    await leader.bot.start(); // the leader runs the bot's singletons, the outbox's sender among them
  }, 60_000);

  afterAll(async () => {
    for (const stop of stops) await stop();
    await telegram?.close();
    await db?.drop();
    tmp.cleanup();
  });

  it("a reply made on the other instance is sent by the leader's sender, and its handler gets Telegram's answer", async () => {
    telegram.reset();
    // /start answered on the instance that does not drain the outbox: handleUpdate returns only
    // once the reply was sent (the handler awaits it), which here needs the leader.
    await other.bot.handleUpdate(privateCommandUpdate(USER, "Trader", "/start") as never);
    const replies = telegram.callsOf("sendMessage").filter((c) => Number(c.payload.chat_id) === USER);
    expect(replies.length).toBeGreaterThan(0);
    const rows = await other.store.query("SELECT state, message_id, answer FROM outbox WHERE chat_id = ?", [USER]);
    expect(rows).toHaveLength(replies.length);
    for (const row of rows) {
      expect(row.state).toBe("sent");
      expect(JSON.parse(String(row.answer))).toMatchObject({ result: { message_id: row.message_id } });
    }
    // Sent by the leader's sender only.
    expect(leader.bot.delivery.stats().sent_total).toBe(replies.length);
    expect(other.bot.delivery.stats().sent_total).toBe(0);
  });

  it("a message queued on the other instance is picked up by the leader at once (NOTIFY), not at its next start", async () => {
    telegram.reset();
    const { done } = await other.bot.delivery.enqueue({
      chatId: USER,
      method: "sendMessage",
      payload: { text: "from the other instance" },
      priority: 2,
    });
    await expect(done).resolves.toMatchObject({ message_id: expect.any(Number) });
    await waitFor(() => telegram.callsOf("sendMessage").length === 1, 10_000, "sent");
    expect(telegram.callsOf("sendMessage")[0]!.payload.text).toBe("from the other instance");
  });
});
