import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MigrationMismatchError, migrate, openDb } from "../../db/index.ts";
import { tempDir } from "../support/tmp.ts";

describe("db migrations", () => {
  const tmp = tempDir();
  afterEach(() => undefined);

  it("creates a fresh database in WAL mode with foreign keys and every table", () => {
    const sqlite = openDb(join(tmp.dir, "fresh", "sortie.db"));
    expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
    const tables = (
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
    ).map((t) => t.name);
    for (const t of [
      "signals",
      "users",
      "bridge_tokens",
      "terminal_symbols",
      "fires",
      "bridge_commands",
      "events",
      "mission_notes",
      "alerts",
    ]) {
      expect(tables).toContain(t);
    }
    sqlite.close();
  });

  it("re-running on an up-to-date database applies nothing and keeps data", () => {
    const path = join(tmp.dir, "rerun.db");
    const first = openDb(path);
    first.prepare("INSERT INTO users (id, created_at, updated_at) VALUES (7, 'x', 'x')").run();
    first.close();
    const again = openDb(path);
    expect(migrate(again)).toEqual([]);
    expect(again.prepare("SELECT id FROM users").all()).toEqual([{ id: 7 }]);
    again.close();
  });

  it("refuses a database with a migration the code does not have", () => {
    const path = join(tmp.dir, "ahead.db");
    const migrationsDir = join(tmp.dir, "migs-ahead");
    mkdirSync(migrationsDir);
    copyFileSync(join(import.meta.dirname, "../../db/migrations/0001_init.sql"), join(migrationsDir, "0001_init.sql"));
    writeFileSync(join(migrationsDir, "0002_extra.sql"), "CREATE TABLE extra (x INTEGER);");
    openDb(path, { migrationsDir }).close();
    expect(() => openDb(path)).toThrow(MigrationMismatchError);
  });

  it("refuses a database whose applied migration was edited since", () => {
    const path = join(tmp.dir, "edited.db");
    const migrationsDir = join(tmp.dir, "migs-edited");
    mkdirSync(migrationsDir);
    writeFileSync(join(migrationsDir, "0001_init.sql"), "CREATE TABLE a (x INTEGER);");
    openDb(path, { migrationsDir }).close();
    writeFileSync(join(migrationsDir, "0001_init.sql"), "CREATE TABLE a (x INTEGER, y INTEGER);");
    expect(() => openDb(path, { migrationsDir })).toThrow(/changed after it was applied/);
  });

  it("keeps the event log append-only", () => {
    const sqlite = openDb(join(tmp.dir, "events.db"));
    sqlite.prepare("INSERT INTO events (at, type) VALUES ('now', 'test')").run();
    expect(() => sqlite.prepare("UPDATE events SET type = 'x'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare("DELETE FROM events").run()).toThrow(/append-only/);
    sqlite.close();
  });
});
