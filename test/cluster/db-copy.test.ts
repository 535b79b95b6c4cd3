import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/index.ts";
import { openPgStore } from "../../db/postgres/index.ts";
import { createStore } from "../../db/store.ts";
import { backupPostgres } from "../../server/cli/backup.ts";
import { copyToPostgres } from "../../server/cli/db-copy.ts";
import { systemClock } from "../../server/clock.ts";
import { loadConfig } from "../../server/config/index.ts";
import { createContext } from "../../server/context.ts";
import { EURUSD_M } from "../bridge/support/fixtures.ts";
import { testDatabase } from "../support/engine.ts";
import { tempDir } from "../support/tmp.ts";

describe("db:copy (SQLite → PostgreSQL)", () => {
  const tmp = tempDir("sortie-copy-");
  afterAll(() => tmp.cleanup());

  it("copies every table, verified by row counts and checksums, and the copy works as a store", async () => {
    const path = join(tmp.dir, "source.db");
    const sqlite = openDb(path);
    const source = createStore(sqlite);
    const ctx = createContext({ store: source, config: loadConfig({ DATABASE_PATH: path }), clock: systemClock });
    const now = new Date().toISOString();
    for (let userId = 1; userId <= 40; userId++) {
      await source.users.ensureUser(
        { id: 5_000_000_000 + userId, first_name: `T${userId}`, username: `t${userId}` },
        now,
      );
      await source.users.setTier(5_000_000_000 + userId, "APEX", now);
      await source.users.setBridgeTokenHash(5_000_000_000 + userId, `hash-${userId}`, now);
      await ctx.bridge.heartbeat(5_000_000_000 + userId, {
        account: {
          login: userId,
          server: "Demo",
          currency: "USD",
          balance: 10_000.5,
          equity: 9_999.25,
          trade_allowed: true,
        },
        symbols: [EURUSD_M],
        prices: [{ symbol: "EURUSD.m", bid: 1.08501, ask: 1.08512, time: Math.floor(Date.now() / 1000) }],
      });
    }
    const { signal } = await ctx.signals.create(
      {
        symbol: "EURUSD",
        side: "BUY",
        entry: 1.085,
        stop_loss: 1.083,
        take_profit: [1.089, 1.091],
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
      },
      { source: "api", actor: "admin-token" },
    );
    for (let userId = 1; userId <= 40; userId++) await ctx.fires.fire(5_000_000_000 + userId, signal.id);
    await source.alerts.claimAlert(signal.id, -1001234567890, now);
    await source.users.saveNote(5_000_000_001, signal.id, "watch the news", now);
    await source.conversations.writeConversation("chat:1", '{"v":1}', now);

    const database = await testDatabase(tmp.dir);
    const target = await openPgStore(database.location, { poolSize: 2 });
    try {
      const report = await copyToPostgres(sqlite, target);
      const rows = Object.fromEntries(report.tables.map((t) => [t.table, t.rows]));
      expect(rows).toMatchObject({
        users: 40,
        signals: 1,
        fires: 40,
        bridge_commands: 80,
        terminal_symbols: 40,
        alerts: 1,
        mission_notes: 1,
        bot_conversations: 1,
      });
      expect(rows.events).toBeGreaterThan(120);
      // The copy is a working store: same reads, and new events continue the numbering.
      const fire = await target.fires.findFire(signal.id, 5_000_000_007);
      expect(fire).toEqual(await source.fires.findFire(signal.id, 5_000_000_007));
      await target.fires.appendEvent({ type: "after.copy" });
      const [last] = (await target.query("SELECT max(seq) AS seq FROM events")) as [{ seq: number }];
      expect(last.seq).toBe(rows.events! + 1);
      // A second copy into the same (now filled) database is refused, not doubled.
      await expect(copyToPostgres(sqlite, target)).rejects.toThrow(/not empty/);
    } finally {
      await target.close();
      await database.drop();
      sqlite.close();
    }
  });
});

describe("backup on PostgreSQL", () => {
  it("npm run backup with DATABASE_URL writes a pg_dump that pg_restore can read", async () => {
    const tmp = tempDir("sortie-pgbackup-");
    const database = await testDatabase(tmp.dir);
    try {
      const report = await backupPostgres(database.location, join(tmp.dir, "backup.dump"));
      expect(report.bytes).toBeGreaterThan(1000);
    } finally {
      await database.drop();
      tmp.cleanup();
    }
  });
});
