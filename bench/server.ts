import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { loggerOptions } from "../server/app.ts";
import { hashToken, newBridgeToken } from "../server/auth/tokens.ts";
import { startHarness } from "../test/support/harness.ts";
import { tempDir } from "../test/support/tmp.ts";

/**
 * The server as production runs it, for the throughput benchmarks: rate limits at their defaults
 * (120 a minute per user, 6,000 per address), one trusted proxy hop so each simulated user comes
 * from an address of their own (X-Forwarded-For), metrics on, and logging at `info` (the default
 * when a bot token is set) into a real file. Every check runs on every request.
 */
export async function startProductionLikeHarness(extraEnv: Record<string, string> = {}) {
  const logDir = tempDir("sortie-bench-log-");
  const logFile = createWriteStream(join(logDir.dir, "server.log"));
  const h = await startHarness({
    listen: true,
    checkpointer: true,
    env: { RATE_LIMIT_PER_MIN: "120", RATE_LIMIT_IP_PER_MIN: "6000", TRUST_PROXY: "1", ...extraEnv },
    app: { logger: loggerOptions("info", logFile) },
  });
  return {
    ...h,
    logFile: join(logDir.dir, "server.log"),
    async close() {
      await h.close();
      logFile.end();
      logDir.cleanup();
    },
  };
}

/** A distinct client address for simulated user number `i` (10.0.0.0/8). */
export const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/**
 * Creates `count` users from `firstId` directly in the store, each with a linked terminal that
 * has just sent a heartbeat (10,000 USD), and returns their bridge tokens. Done in the store, not
 * through the API, so setting up thousands of users spends no one's rate limit.
 */
export async function seedTraders(h: Awaited<ReturnType<typeof startHarness>>, firstId: number, count: number) {
  const now = new Date().toISOString();
  const nowMs = Date.now();
  const account = { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true };
  const tokens: string[] = [];
  await h.store.transaction(async () => {
    for (let i = 0; i < count; i++) {
      const id = firstId + i;
      const token = newBridgeToken();
      await h.store.users.ensureUser({ id, first_name: "Bench" }, now);
      await h.store.users.setTier(id, "APEX", now);
      await h.store.users.setBridgeTokenHash(id, hashToken(token), now);
      await h.store.terminal.recordHeartbeat(id, account, [], [], nowMs);
      tokens.push(token);
    }
  });
  return tokens;
}

/** Marks every seeded terminal as heard from now (so none counts as offline in a later run). */
export async function refreshTerminals(h: Awaited<ReturnType<typeof startHarness>>, firstId: number, count: number) {
  const nowMs = Date.now();
  await h.store.transaction(async () => {
    for (let i = 0; i < count; i++) await h.store.terminal.touchBridge(firstId + i, nowMs);
  });
  for (let i = 0; i < count; i++) h.ctx.missions.touchUser(firstId + i);
}
