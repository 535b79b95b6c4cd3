import { spawn } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { sign } from "@telegram-apps/init-data-node";
import Database from "better-sqlite3";
import { LOCAL_BOT_TOKEN } from "../server/config/index.ts";
import { keepAliveClient } from "./http-client.ts";
import { BENCH_ADMIN_TOKEN, startRealServer } from "./real-server.ts";
import { addressOf } from "./server.ts";
import { round } from "./support.ts";
import { ensureWrk } from "./wrk.ts";

/**
 * Memory ceiling (issue #14): `signals` signals created through the admin API, then `users`
 * distinct Mini App users each opening one of them (`GET /api/missions/:id`, wrk in its own
 * process, each user from an address of its own), against the real server in its own process.
 * Reports the server's RSS before, after the signals, after the users, and after a second pass of
 * as many new users: every in-process map is bounded (server/memory.ts), so RSS should level off.
 */
export async function benchMemory(opts: { users?: number; signals?: number } = {}) {
  ensureWrk();
  const users = opts.users ?? Number(process.env.MEMORY_USERS ?? 100_000);
  const signalCount = opts.signals ?? Number(process.env.MEMORY_SIGNALS ?? 10_000);
  const server = await startRealServer({ TRUST_PROXY: "1" });
  try {
    const idle = await server.rssMib();
    const admin = keepAliveClient(server.root, 16);
    const signalIds: string[] = [];
    const create = async (n: number) => {
      const res = await admin.send(
        "POST",
        "/api/signals",
        { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, "x-forwarded-for": addressOf(500_000 + n) },
        {
          symbol: "EURUSD",
          side: n % 2 ? "BUY" : "SELL",
          entry: 1.085,
          stop_loss: n % 2 ? 1.083 : 1.087,
          take_profit: [n % 2 ? 1.089 : 1.081],
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          confidence: 80,
          shield_score: 8,
          shield_notes: `memory ${n}`,
        },
      );
      if (res.status !== 201) throw new Error(`signal ${n}: ${res.status} ${res.body.slice(0, 200)}`);
      signalIds.push((JSON.parse(res.body) as { id: string }).id);
    };
    for (let n = 0; n < signalCount; n += 16) {
      await Promise.all(Array.from({ length: Math.min(16, signalCount - n) }, (_, k) => create(n + k)));
    }
    admin.close();
    const afterSignals = await server.rssMib();

    /** One pass of `users` new distinct users (ids from `firstId`); returns its seconds. */
    const pass = async (firstId: number): Promise<number> => {
      const lines = Array.from({ length: users }, (_, i) => {
        const initData = sign(
          { user: { id: firstId + i, first_name: "M" }, query_id: `m${firstId + i}` } as never,
          LOCAL_BOT_TOKEN,
          new Date(),
        );
        return `tma ${initData}\t${addressOf(firstId - 2_000_000 + i)}\t/api/missions/${signalIds[i % signalIds.length]}`;
      });
      const file = join(server.dir, `users-${firstId}.txt`);
      writeFileSync(file, `${lines.join("\n")}\n`);
      const t0 = performance.now();
      const wrk = spawn(
        "wrk",
        ["-t1", "-c64", "-d600s", "--timeout", "30s", "-s", join(import.meta.dirname, "once.lua"), server.root],
        {
          env: { ...process.env, LINES_FILE: file },
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
      // Done when every user of the pass exists in the server's database (made by their first request).
      const db = new Database(join(server.dir, "sortie.db"), { readonly: true });
      const count = db.prepare("SELECT COUNT(*) AS n FROM users WHERE id >= ? AND id < ?");
      while ((count.get(firstId, firstId + users) as { n: number }).n < users && wrk.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      db.close();
      wrk.kill("SIGINT");
      await once(wrk, "exit").catch(() => undefined);
      return (performance.now() - t0) / 1000;
    };
    const seconds = await pass(2_000_000);
    const afterUsers = await server.rssMib();
    // A second pass of as many new users: with every map at its bound, RSS should stay level.
    const secondSeconds = await pass(2_000_000 + users);
    const afterSecondPass = await server.rssMib();
    return {
      signals: signalCount,
      users,
      users_in_s: round(seconds, 1),
      second_pass_users_in_s: round(secondSeconds, 1),
      server_rss_mib: {
        idle,
        after_signals: afterSignals,
        after_users: afterUsers,
        after_second_pass_of_new_users: afterSecondPass,
      },
    };
  } finally {
    await server.stop();
  }
}
