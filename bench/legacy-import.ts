import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openDb } from "../db/index.ts";
import { createStore } from "../db/store.ts";
import { systemClock } from "../server/clock.ts";
import { writeArchive } from "../server/legacy/archive.ts";
import { importLegacyFolder } from "../server/legacy/import.ts";
import { generateLegacyFolder } from "../test/server/legacy/generate.ts";
import { tempDir } from "../test/support/tmp.ts";

/**
 * `npm run bench -- legacy`: imports a generated folder of legacy mission files (50,000 files over
 * 300 signals, bad files and duplicates included) into a fresh SQLite file; files per second,
 * bytes of the files before and of the database growth after, the archive's size, peak RSS.
 */
export async function benchLegacyImport(files = 50_000, signals = 300) {
  const tmp = tempDir("sortie-bench-legacy-");
  try {
    const folder = join(tmp.dir, "missions");
    mkdirSync(folder);
    const legacy = generateLegacyFolder(folder, Date.now(), files - 90, signals);
    const sqlite = openDb(join(tmp.dir, "sortie.db"));
    const store = createStore(sqlite);
    const page = sqlite.pragma("page_size", { simple: true }) as number;
    const used = () =>
      ((sqlite.pragma("page_count", { simple: true }) as number) -
        (sqlite.pragma("freelist_count", { simple: true }) as number)) *
      page;
    const usedBefore = used();
    let peakRss = process.memoryUsage().rss;
    const started = performance.now();
    const result = await importLegacyFolder({
      store,
      clock: systemClock,
      folder,
      onProgress: () => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const after = used() - usedBefore;
    const archiveStarted = performance.now();
    const archiveBytes = await writeArchive(folder, result.imported, join(tmp.dir, "legacy.tar.gz"));
    const archiveSeconds = (performance.now() - archiveStarted) / 1000;
    sqlite.close();
    return {
      files: result.files,
      signals: result.signals,
      users: result.users,
      skipped: result.skipped,
      seconds: Number(seconds.toFixed(2)),
      files_per_s: Math.round(result.files / seconds),
      bytes_before: legacy.bytes,
      bytes_after_db: after,
      ratio: Number((legacy.bytes / after).toFixed(1)),
      archive_bytes: archiveBytes,
      archive_s: Number(archiveSeconds.toFixed(2)),
      peak_rss_mib: Math.round(peakRss / 2 ** 20),
    };
  } finally {
    tmp.cleanup();
  }
}
