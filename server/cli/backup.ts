/**
 * `npm run backup -- <file> [--force]`: a consistent copy of the live database while the server
 * runs, with SQLite's online backup API (better-sqlite3 `db.backup()`), checked before it is kept.
 *
 * Consistency: every page is copied in ONE backup step, i.e. inside one read transaction. In WAL
 * mode that reader sees the last commit before it began and never blocks the server's writes; a
 * multi-step copy would instead restart each time the server commits (https://sqlite.org/backup.html).
 * The copy is written to `<file>.partial`, verified (integrity_check, foreign_key_check), switched
 * to a single self-contained file (journal_mode=DELETE) and only then renamed to `<file>`.
 *
 * Restore: stop the server, move the backup to DATABASE_PATH (delete any old `-wal`/`-shm` files
 * beside it), start the server; it re-enables WAL on open.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import type { Sqlite } from "../../db/index.ts";
import { redactUrl } from "../../db/postgres/index.ts";
import { databasePathFromEnv, fail, openExistingReadOnly } from "./db-path.ts";

/** Tables whose row counts the report shows. */
const TABLES = ["signals", "users", "fires", "bridge_commands", "events"] as const;

export interface BackupReport {
  source: string;
  target: string;
  pages: number;
  bytes: number;
  ms: number;
  rows: Record<(typeof TABLES)[number], number>;
}

/** Checks a copied database; throws when SQLite finds any damage. Returns its row counts. */
export function verifyCopy(sqlite: Sqlite): BackupReport["rows"] {
  const integrity = sqlite.pragma("integrity_check") as Array<{ integrity_check: string }>;
  if (integrity.length !== 1 || integrity[0]?.integrity_check !== "ok") {
    throw new Error(`integrity_check failed: ${integrity.map((r) => r.integrity_check).join("; ")}`);
  }
  const orphans = sqlite.pragma("foreign_key_check") as unknown[];
  if (orphans.length > 0) throw new Error(`foreign_key_check found ${orphans.length} broken references`);
  const count = (table: string) => (sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return Object.fromEntries(TABLES.map((t) => [t, count(t)])) as BackupReport["rows"];
}

/** Copies the database at `sourcePath` to `targetPath` online, verifies the copy, and reports. */
export async function backupDatabase(sourcePath: string, targetPath: string, force = false): Promise<BackupReport> {
  const source = resolve(sourcePath);
  const target = resolve(targetPath);
  if (source === target) throw new Error("the backup file must not be the database itself");
  if (existsSync(target) && !force) throw new Error(`${target} already exists (add --force to replace it)`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(leftover, { force: true });

  const started = performance.now();
  try {
    const { pages, rows } = await copyAndVerify(source, partial);
    rmSync(target, { force: true });
    renameSync(partial, target);
    return { source, target, pages, bytes: statSync(target).size, ms: Math.round(performance.now() - started), rows };
  } catch (err) {
    for (const leftover of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(leftover, { force: true });
    throw err;
  }
}

async function copyAndVerify(source: string, partial: string) {
  const live = openExistingReadOnly(source);
  let pages = 0;
  try {
    const done = await live.backup(partial, {
      // The largest step there is: the whole database in one read transaction (see the header).
      progress: () => 0x7fffffff,
    });
    pages = done.totalPages;
  } finally {
    live.close();
  }

  const copy = new Database(partial);
  let rows: BackupReport["rows"];
  try {
    rows = verifyCopy(copy);
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
  return { pages, rows };
}

/**
 * PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, taken without blocking the
 * instances), written to `<file>.partial`, listed back with `pg_restore --list` as a check, then
 * renamed. Needs the PostgreSQL client tools (`pg_dump`) on PATH or in Debian's folder.
 */
export async function backupPostgres(url: string, targetPath: string, force = false) {
  const target = resolve(targetPath);
  if (existsSync(target) && !force) throw new Error(`${target} already exists (add --force to replace it)`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  const started = performance.now();
  const tool = (name: string) => {
    for (const version of ["17", "16", "15", "14", "13"]) {
      const path = `/usr/lib/postgresql/${version}/bin/${name}`;
      if (existsSync(path)) return path;
    }
    return name;
  };
  try {
    execFileSync(tool("pg_dump"), ["--format=custom", "--no-owner", "--file", partial, url], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const listing = execFileSync(tool("pg_restore"), ["--list", partial], { encoding: "utf8" });
    if (!listing.includes("TABLE DATA public fires"))
      throw new Error("the dump has no fires table: not a Sortie database?");
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(stderr || (err as Error).message);
  }
  return { target, bytes: statSync(target).size, ms: Math.round(performance.now() - started) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const files = args.filter((a) => a !== "--force");
  if (files.length !== 1 || files[0]!.startsWith("-")) fail("backup", "usage: npm run backup -- <file> [--force]");
  if (existsSync(".env")) process.loadEnvFile(".env");
  const url = process.env.DATABASE_URL?.trim();
  if (url) {
    try {
      const r = await backupPostgres(url, files[0]!, force);
      console.log(`sortie backup: PostgreSQL ${redactUrl(url)} → ${r.target} (pg_dump custom format)`);
      console.log(
        `  ${(r.bytes / 1024).toFixed(0)} KiB in ${r.ms} ms; restore with pg_restore -d <database> ${r.target}`,
      );
    } catch (err) {
      fail("backup", (err as Error).message);
    }
    return;
  }
  try {
    const r = await backupDatabase(databasePathFromEnv(), files[0]!, force);
    const counts = Object.entries(r.rows)
      .map(([t, n]) => `${t} ${n}`)
      .join(", ");
    console.log(`sortie backup: ${r.source} → ${r.target}`);
    console.log(`  ${r.pages} pages, ${(r.bytes / 1024).toFixed(0)} KiB in ${r.ms} ms; integrity ok; ${counts}`);
  } catch (err) {
    fail("backup", (err as Error).message);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
