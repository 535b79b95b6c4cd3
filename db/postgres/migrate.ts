import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MigrationMismatchError, readMigrations } from "../index.ts";
import type { PgDb } from "./connection.ts";

export const PG_MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations", "postgres");

/** Advisory lock key held while migrating, so instances starting together migrate once. */
const MIGRATE_LOCK = 7_713_001;

/**
 * Applies pending numbered migrations of db/migrations/postgres, each in its own transaction and
 * recorded (with its checksum) in `schema_migrations`, under an advisory lock. Refuses, as the
 * SQLite side does, a database whose applied list disagrees with the files.
 */
export async function migratePostgres(db: PgDb, dir = PG_MIGRATIONS_DIR): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    const files = readMigrations(dir);
    const applied = (
      await client.query<{ name: string; checksum: string }>(
        "SELECT name, checksum FROM schema_migrations ORDER BY name",
      )
    ).rows;
    applied.forEach((row, i) => {
      const file = files[i];
      if (!file || file.name !== row.name) {
        throw new MigrationMismatchError(
          `database has migration ${row.name} that the code does not (expected ${file?.name ?? "nothing"}); refusing to start`,
        );
      }
      if (file.checksum !== row.checksum) {
        throw new MigrationMismatchError(`migration ${row.name} was changed after it was applied; refusing to start`);
      }
    });
    const pending = files.slice(applied.length);
    for (const file of pending) {
      await client.query("BEGIN");
      try {
        await client.query(file.sql);
        await client.query("INSERT INTO schema_migrations (name, checksum, applied_at) VALUES ($1, $2, $3)", [
          file.name,
          file.checksum,
          new Date().toISOString(),
        ]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      }
    }
    return pending.map((f) => f.name);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATE_LOCK]).catch(() => undefined);
    client.release();
  }
}
