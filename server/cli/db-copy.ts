/**
 * `npm run db:copy -- --from ./data/sortie.db --to "$DATABASE_URL"`: copies a community's SQLite
 * data into an empty PostgreSQL database (migrated first), in one transaction, then verifies it:
 * the same row count and the same SHA-256 over every table's rows (ordered by primary key,
 * values as JSON) on both sides. Stop the server (or accept that writes after the copy's start
 * are not copied) and point DATABASE_URL at the target afterwards.
 */
import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import type { Sqlite } from "../../db/index.ts";
import { openPgStore, type PgStore, redactUrl } from "../../db/postgres/index.ts";
import { fail, openExistingReadOnly } from "./db-path.ts";

/** Every table in foreign-key order, with the columns that order its rows. */
export const COPY_TABLES: ReadonlyArray<{ table: string; key: string }> = [
  { table: "signals", key: "id" },
  { table: "users", key: "id" },
  { table: "bridge_tokens", key: "user_id" },
  { table: "terminals", key: "id" },
  { table: "terminal_symbols", key: "user_id, name" },
  { table: "terminal_prices", key: "user_id, name" },
  { table: "fires", key: "id" },
  { table: "bridge_commands", key: "id" },
  { table: "fire_terminals", key: "fire_id, terminal_id" },
  { table: "trade_updates", key: "id" },
  { table: "position_commands", key: "id" },
  { table: "events", key: "seq" },
  { table: "mission_notes", key: "user_id, signal_id" },
  { table: "alerts", key: "signal_id, chat_id" },
  { table: "bot_conversations", key: "key" },
];

export interface CopyReport {
  tables: Array<{ table: string; rows: number; sha256: string }>;
  ms: number;
}

/** The checksum of rows as read, column order fixed by `columns`. */
function digest(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const hash = createHash("sha256");
  for (const row of rows) hash.update(`${JSON.stringify(columns.map((c) => row[c] ?? null))}\n`);
  return hash.digest("hex");
}

/** Copies `sqlite` into the PostgreSQL store and verifies counts and checksums per table. */
export async function copyToPostgres(sqlite: Sqlite, target: PgStore): Promise<CopyReport> {
  const started = performance.now();
  for (const { table } of COPY_TABLES) {
    const [row] = await target.query(`SELECT COUNT(*) AS n FROM ${table}`);
    if ((row as { n: number }).n > 0)
      throw new Error(`the target's ${table} is not empty: copy into an empty database`);
  }
  const plan = COPY_TABLES.map(({ table, key }) => {
    const columns = (sqlite.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
    return { table, key, columns };
  });
  await target.db.tx(async () => {
    for (const { table, key, columns } of plan) {
      const rows = sqlite.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all() as Array<Record<string, unknown>>;
      const perBatch = Math.max(1, Math.floor(30_000 / columns.length)); // PostgreSQL allows 65,535 parameters
      for (let i = 0; i < rows.length; i += perBatch) {
        const batch = rows.slice(i, i + perBatch);
        const values = batch
          .map((_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(", ")})`)
          .join(", ");
        await target.db.run(
          `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values}`,
          batch.flatMap((row) => columns.map((c) => row[c] ?? null)),
        );
      }
    }
    // The copied events keep their numbers; new ones continue after the highest.
    await target.db.run(
      "SELECT setval(pg_get_serial_sequence('events', 'seq'), coalesce(max(seq), 0) + 1, false) FROM events",
    );
  });
  const tables: CopyReport["tables"] = [];
  for (const { table, key, columns } of plan) {
    const from = sqlite.prepare(`SELECT * FROM ${table} ORDER BY ${key}`).all() as Array<Record<string, unknown>>;
    const to = await target.query(`SELECT * FROM ${table} ORDER BY ${key}`);
    const [a, b] = [digest(from, columns), digest(to, columns)];
    if (from.length !== to.length || a !== b) {
      throw new Error(
        `${table}: ${from.length} rows (sha256 ${a}) in SQLite but ${to.length} (sha256 ${b}) in PostgreSQL`,
      );
    }
    tables.push({ table, rows: from.length, sha256: a });
  }
  return { tables, ms: Math.round(performance.now() - started) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const from = value("--from");
  const to = value("--to");
  if (!from || !to)
    fail("db:copy", 'usage: npm run db:copy -- --from ./data/sortie.db --to "postgres://user:pass@host:5432/db"');
  let sqlite: Sqlite;
  let target: PgStore;
  try {
    sqlite = openExistingReadOnly(from);
    target = await openPgStore(to, { poolSize: 2 });
  } catch (err) {
    fail("db:copy", (err as Error).message);
  }
  try {
    const report = await copyToPostgres(sqlite, target);
    console.log(
      `sortie db:copy: ${from} → ${redactUrl(to)} in ${report.ms} ms; verified (row counts and sha256 per table):`,
    );
    for (const t of report.tables)
      console.log(`  ${t.table.padEnd(18)} ${String(t.rows).padStart(8)} rows  ${t.sha256.slice(0, 16)}`);
  } catch (err) {
    fail("db:copy", (err as Error).message);
  } finally {
    sqlite.close();
    await target.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
