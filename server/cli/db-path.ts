import { existsSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import type { Sqlite } from "../../db/index.ts";

/** The database the server uses: `DATABASE_PATH` (from the environment or `.env`), else the default. */
export function databasePathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (existsSync(".env")) process.loadEnvFile(".env");
  return env.DATABASE_PATH?.trim() || "./data/sortie.db";
}

/**
 * Opens an existing Sortie database read-only (never creating or migrating it), safe beside a
 * running server: WAL lets this reader see the last committed state without blocking writers.
 * Throws an Error with a plain message when the file is missing or not a database.
 */
export function openExistingReadOnly(path: string): Sqlite {
  if (!existsSync(path)) throw new Error(`no database at ${resolve(path)} (set DATABASE_PATH)`);
  let sqlite: Sqlite;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
    sqlite.pragma("busy_timeout = 5000");
    sqlite.prepare("SELECT 1 FROM schema_migrations LIMIT 1").all();
  } catch (err) {
    throw new Error(`${resolve(path)} is not a Sortie database: ${(err as Error).message}`);
  }
  return sqlite;
}

/** Prints `sortie <tool>: <message>` to stderr and exits with status 1. */
export function fail(tool: string, message: string): never {
  console.error(`sortie ${tool}: ${message}`);
  process.exit(1);
}
