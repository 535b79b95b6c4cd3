import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_BOT_TOKEN } from "../../server/config/index.ts";
import { type Harness, signInitData, startHarness } from "../support/harness.ts";
import { runTs } from "./support/cli.ts";
import { freePort, PROCESS_ADMIN_TOKEN, startServerProcess } from "./support/server-process.ts";

const USERS = Array.from({ length: 40 }, (_, i) => 70_000 + i);
const count = (db: Database.Database, sql: string, ...args: unknown[]) =>
  (db.prepare(sql).get(...args) as { n: number }).n;

/** `npm run backup` against a database that is being written to, then a restore from the copy. */
describe("backup CLI", () => {
  let h: Harness;
  let backupPath: string;
  let copyFires: number;
  beforeAll(async () => {
    h = await startHarness();
    for (const id of USERS) {
      await h.heartbeat(await h.linkBridge(id));
      await h.store.users.setTier(id, "APEX", new Date().toISOString()); // no daily limit
    }
    backupPath = join(h.dir, "backups", "sortie-backup.db");
  });
  afterAll(async () => {
    await h.close();
  });

  const firesNow = () => count(h.sqlite, "SELECT COUNT(*) AS n FROM fires");

  it("makes a consistent online copy while fires keep being written", async () => {
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const signal = await h.createSignal({ take_profit: [1.089, 1.091] });
        for (const id of USERS) {
          if (!writing) break;
          const res = await h.app.inject({
            method: "POST",
            url: "/api/fire",
            headers: { authorization: h.tma(id) },
            payload: { signal_id: signal.id },
          });
          if (res.statusCode !== 202) throw new Error(`fire: ${res.statusCode} ${res.body}`);
          written++;
        }
      }
    })();
    writer.catch(() => undefined);
    while (written < 100) await Promise.race([writer, new Promise((r) => setTimeout(r, 10))]);
    const before = firesNow();
    const out = await runTs("server/cli/backup.ts", [backupPath], { DATABASE_PATH: h.dbPath });
    const after = firesNow();
    writing = false;
    await writer;
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/integrity ok; signals \d+, users 40, fires \d+/);
    expect(after).toBeGreaterThan(before); // the server really was writing during the backup

    // One self-contained file: no -wal beside it, rollback journal mode, and nothing half-done.
    expect(existsSync(`${backupPath}-wal`)).toBe(false);
    expect(existsSync(`${backupPath}.partial`)).toBe(false);
    const copy = new Database(backupPath, { readonly: true });
    try {
      expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
      expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(copy.pragma("foreign_key_check")).toEqual([]);
      copyFires = count(copy, "SELECT COUNT(*) AS n FROM fires");
      expect(copyFires).toBeGreaterThanOrEqual(before);
      expect(copyFires).toBeLessThanOrEqual(after);
      // A snapshot, not a torn read: every fire has both legs and its audit events, nothing more.
      expect(count(copy, "SELECT COUNT(*) AS n FROM bridge_commands")).toBe(copyFires * 2);
      expect(count(copy, "SELECT COUNT(*) AS n FROM events WHERE type = 'fire.created'")).toBe(copyFires);
      expect(count(copy, "SELECT COUNT(*) AS n FROM events WHERE type = 'command.queued'")).toBe(copyFires * 2);
      const rows = copy.prepare("SELECT id, state FROM fires ORDER BY id LIMIT 5").all() as Array<{ id: string }>;
      for (const row of rows) expect(await h.store.fires.findFireById(row.id)).not.toBeNull();
    } finally {
      copy.close();
    }

    const again = await runTs("server/cli/backup.ts", [backupPath], { DATABASE_PATH: h.dbPath });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists (add --force to replace it)");
  });

  it("restores: the real server started on the copy serves the same signals and fires", async () => {
    const restoreDir = join(h.dir, "restored");
    mkdirSync(restoreDir);
    const restored = join(restoreDir, "sortie.db");
    copyFileSync(backupPath, restored);
    const server = await startServerProcess({ databasePath: restored, port: await freePort() });
    try {
      const admin = { authorization: `Bearer ${PROCESS_ADMIN_TOKEN}` };
      const list = await fetch(`${server.url}/api/signals?status=all&limit=200`, { headers: admin });
      const signals = ((await list.json()) as { signals: Array<{ id: string; fire_count: number }> }).signals;
      expect(signals.reduce((sum, s) => sum + s.fire_count, 0)).toBe(copyFires);

      // A trader reads their history back (local mode signs initData with its fixed token).
      const tma = `tma ${signInitData({ id: USERS[0]! }, LOCAL_BOT_TOKEN)}`;
      const mine = await fetch(`${server.url}/api/me/fires?limit=200`, { headers: { authorization: tma } });
      expect(mine.status).toBe(200);
      const fires = ((await mine.json()) as { fires: Array<{ id: string; legs: unknown[] }> }).fires;
      const original = (await h.store.fires.listFiresByUser(USERS[0]!, 200)).map((f) => f.id);
      expect(fires.length).toBeGreaterThan(0);
      for (const fire of fires) {
        expect(original).toContain(fire.id);
        expect(fire.legs).toHaveLength(2);
      }
      const health = await fetch(`${server.url}/health`);
      expect(((await health.json()) as { status: string }).status).toBe("ok");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
