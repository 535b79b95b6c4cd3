import { createBot } from "../../bot/index.ts";
import type { Clock } from "../../server/clock.ts";
import { type Harness, startHarness } from "./harness.ts";
import { paperTrader } from "./paper.ts";
import { startTelegramFake, type TelegramFake } from "./telegram-fake.ts";

export const GROUP_CHAT = -100_500;
export const TRADER = 555_001;

/**
 * The whole loop on loopback: real server (HTTP, SQLite file), the real bot talking HTTP to the
 * Bot API fake, and one trader's paper terminal speaking protocol v1 over HTTP. With `distDir`,
 * the server also serves that build of the Mini App.
 */
export async function startWorld(
  options: { distDir?: string; clock?: Clock; env?: Record<string, string> } = {},
): Promise<{
  h: Harness;
  telegram: TelegramFake;
  bot: ReturnType<typeof createBot>;
  trader: Awaited<ReturnType<typeof paperTrader>>;
  close(): Promise<void>;
}> {
  const telegram = await startTelegramFake();
  const h = await startHarness({
    listen: true,
    sweeper: true,
    ...(options.distDir ? { app: { distDir: options.distDir } } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    env: {
      TELEGRAM_API_ROOT: telegram.apiRoot,
      ALERT_CHAT_IDS: String(GROUP_CHAT),
      MINIAPP_LINK: "https://t.me/sortie_test_bot/app",
      ...options.env,
    },
  });
  const bot = createBot({
    ctx: h.ctx,
    token: h.config.botToken!,
    apiRoot: telegram.apiRoot,
    log: () => undefined,
    receive: "manual",
    editIntervalMs: 200,
    tickMs: 200,
  });
  await bot.start();
  const trader = await paperTrader(h, TRADER);
  return {
    h,
    telegram,
    bot,
    trader,
    async close() {
      await trader.terminal.stop();
      await bot.stop();
      await h.close();
      await telegram.close();
    },
  };
}
