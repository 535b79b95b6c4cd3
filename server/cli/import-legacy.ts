/**
 * `npm run import-legacy -- <folder> [--report mismatches.csv] [--archive FILE.tar.gz]`: imports
 * the old system's `mission_<signal>_<user>.json` files (CONTRACT.md "Legacy mission files").
 *
 * Prints skipped files (`skipped <file>: <reason>`) and progress on stderr (one line redrawn on a
 * terminal, a line every 10,000 files otherwise), then the contract's one summary line on stdout:
 * `files N, signals S, users U, skipped K, bytes before B, after A` — before = the files' bytes,
 * after = what the import added to the database (SQLite: its used pages; PostgreSQL: the size of
 * the signals and users tables with their indexes), so a second run shows 0.
 * Imports into the configured store: PostgreSQL at DATABASE_URL, else the SQLite file at DATABASE_PATH.
 * `--report` writes a CSV of files whose `position_size` disagrees with Sortie's sizing.
 * `--archive` packs the imported files into one .tar.gz and then removes them, only after the
 * whole import succeeded and the archive was read back; skipped files stay where they are.
 * Exit status 1 on any failure, with nothing removed.
 */
import { createWriteStream, existsSync, openSync, statSync, type WriteStream } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { LegacyMismatch } from "../../core/legacy.ts";
import { openDb, type Sqlite } from "../../db/index.ts";
import { openPgStore, redactUrl } from "../../db/postgres/index.ts";
import { createStore, type Store } from "../../db/store.ts";
import { systemClock } from "../clock.ts";
import { removeArchived, writeArchive } from "../legacy/archive.ts";
import { type ImportProgress, importLegacyFolder } from "../legacy/import.ts";
import { databasePathFromEnv, fail } from "./db-path.ts";

const USAGE = "usage: npm run import-legacy -- <folder> [--report mismatches.csv] [--archive FILE.tar.gz]";

const CSV_COLUMNS: ReadonlyArray<keyof LegacyMismatch> = [
  "file",
  "signal_id",
  "user_id",
  "symbol",
  "balance",
  "currency",
  "risk_percent",
  "stored_lots",
  "sortie_lots",
  "difference",
  "reason",
];

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Bytes of the database's pages in use (all pages less the free list). */
function usedBytes(sqlite: Sqlite): number {
  const pages = sqlite.pragma("page_count", { simple: true }) as number;
  const free = sqlite.pragma("freelist_count", { simple: true }) as number;
  return (pages - free) * (sqlite.pragma("page_size", { simple: true }) as number);
}

/**
 * On PostgreSQL, the bytes of the tables the import writes, with their indexes and TOAST: their
 * data ("main") forks only. pg_total_relation_size also counts the free-space and visibility maps,
 * which autovacuum creates on its own time: between two runs that added nothing it showed 8,192 bytes.
 */
const PG_IMPORTED_BYTES = `SELECT coalesce(sum(pg_relation_size(oid, 'main')), 0) AS bytes FROM pg_class
  WHERE oid IN ('signals'::regclass, 'users'::regclass)
     OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN ('signals'::regclass, 'users'::regclass))
     OR oid IN (SELECT reltoastrelid FROM pg_class WHERE oid IN ('signals'::regclass, 'users'::regclass))
     OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN
       (SELECT reltoastrelid FROM pg_class WHERE oid IN ('signals'::regclass, 'users'::regclass)))`;

/** The configured store and how many bytes what the import writes takes there. */
async function openConfiguredStore(): Promise<{ store: Store; usedBytes: () => Promise<number> }> {
  const path = databasePathFromEnv(); // also reads .env
  const url = process.env.DATABASE_URL?.trim();
  if (url) {
    let store: Store;
    try {
      store = await openPgStore(url, { poolSize: 2 });
    } catch (err) {
      const message = (err as Error).message;
      fail("import-legacy", message.includes("PostgreSQL") ? message : `database ${redactUrl(url)}: ${message}`);
    }
    const size = async () => Number((await store.query(PG_IMPORTED_BYTES))[0]!.bytes);
    return { store, usedBytes: size };
  }
  const sqlite = openDb(path);
  return { store: createStore(sqlite), usedBytes: async () => usedBytes(sqlite) };
}

/** Progress on stderr: one line redrawn on a terminal, a plain line every 10,000 files otherwise. */
function progressPrinter(startMs: number) {
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  let lastLineAt = 0;
  let drawn = false;
  const line = (p: ImportProgress) => {
    const perSecond = Math.round(p.files / Math.max(0.001, (Date.now() - startMs) / 1000));
    return `import-legacy: ${p.files.toLocaleString("en")} files (${perSecond.toLocaleString("en")}/s), ${p.signals} signals, ${p.users} users, ${p.skipped} skipped`;
  };
  return {
    update(p: ImportProgress): void {
      if (tty) {
        if (Date.now() - lastDraw < 100) return;
        lastDraw = Date.now();
        process.stderr.write(`\r\x1b[2K${line(p)}`);
        drawn = true;
      } else if (p.files - lastLineAt >= 10_000) {
        lastLineAt = p.files - (p.files % 10_000);
        process.stderr.write(`${line(p)}\n`);
      }
    },
    /** Prints a whole line (a skipped file) without breaking the redrawn one. */
    say(text: string): void {
      process.stderr.write(tty && drawn ? `\r\x1b[2K${text}\n` : `${text}\n`);
      drawn = false;
    },
    done(): void {
      if (tty && drawn) process.stderr.write("\r\x1b[2K");
    },
  };
}

function readArgs(): { folder: string; report?: string; archive?: string } {
  try {
    const { values, positionals } = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== "--"),
      options: { report: { type: "string" }, archive: { type: "string" } },
      allowPositionals: true,
    });
    const folder = positionals[0];
    if (positionals.length !== 1 || folder === undefined) fail("import-legacy", USAGE);
    return { folder, report: values.report, archive: values.archive };
  } catch (err) {
    fail("import-legacy", `${(err as Error).message}\n${USAGE}`);
  }
}

async function main(): Promise<void> {
  const args = readArgs();
  const { folder, archive } = args;
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    fail("import-legacy", `${resolve(folder)} is not a folder`);
  if (archive !== undefined && existsSync(archive)) {
    fail("import-legacy", `${resolve(archive)} already exists; choose another archive name`);
  }
  let report: WriteStream | null = null;
  if (args.report !== undefined) {
    try {
      report = createWriteStream("", { fd: openSync(args.report, "w") });
    } catch (err) {
      fail("import-legacy", `cannot write the report: ${(err as Error).message}`);
    }
  }

  const { store, usedBytes: bytesUsed } = await openConfiguredStore();
  report?.write(`${CSV_COLUMNS.join(",")}\n`);
  const bytesBefore = await bytesUsed();
  const progress = progressPrinter(Date.now());
  try {
    const result = await importLegacyFolder({
      store,
      clock: systemClock,
      folder,
      onProgress: (p) => progress.update(p),
      onSkip: (file, reason) => progress.say(`skipped ${file}: ${reason}`),
      onMismatch: (m) => report?.write(`${CSV_COLUMNS.map((c) => csvField(m[c])).join(",")}\n`),
    });
    progress.done();
    if (report) {
      await new Promise<void>((done, failed) => report.end((err?: Error | null) => (err ? failed(err) : done())));
      console.error(`import-legacy: ${result.mismatches} position_size mismatches written to ${args.report}`);
    }
    const added = Math.max(0, (await bytesUsed()) - bytesBefore);
    if (archive !== undefined) {
      const archiveBytes = await writeArchive(folder, result.imported, archive);
      const removed = await removeArchived(folder, result.imported.keys());
      console.error(
        `import-legacy: archived ${removed} files in ${resolve(archive)} (${archiveBytes} bytes); removed them`,
      );
    }
    console.log(
      `files ${result.files}, signals ${result.signals}, users ${result.users}, skipped ${result.skipped}, bytes before ${result.bytes}, after ${added}`,
    );
  } catch (err) {
    progress.done();
    await store.close();
    fail("import-legacy", `${(err as Error).message} (nothing was removed)`);
  }
  await store.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
