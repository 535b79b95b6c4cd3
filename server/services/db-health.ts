import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** SQLite result codes that mean "the database file cannot be written" (https://sqlite.org/rescode.html). */
const WRITE_FAILURE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB)/;

/** True for a better-sqlite3 error saying the disk or the file refuses writes. */
export function isDbWriteFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && WRITE_FAILURE.test(code);
}

/** Below this much free space in the database's folder, `/health` says the database cannot write. */
export const MIN_FREE_BYTES = 1024 * 1024;

/**
 * Whether the database can still write, answered cheaply for `/health`: the result of the last
 * write attempt (a failed one is noted by the error handler; any later successful write clears it)
 * and the free space of the database's file system (one `statfs`, at most once a second). A
 * probe write was rejected: in WAL mode SQLite reuses the WAL's frames after a checkpoint, so a
 * tiny write can still succeed on a full disk while a fire that needs new pages fails.
 */
export function createDbHealth(databasePath: string, now: () => number = Date.now) {
  const folder = databasePath === ":memory:" ? null : dirname(resolve(databasePath));
  let failure: { code: string; atMs: number } | null = null;
  let freeBytes: number | null = null;
  let checkedMs = Number.NEGATIVE_INFINITY;

  function free(): number | null {
    if (!folder) return null;
    const nowMs = now();
    if (nowMs - checkedMs >= 1000) {
      checkedMs = nowMs;
      try {
        const s = statfsSync(folder);
        freeBytes = s.bavail * s.bsize;
      } catch {
        freeBytes = null;
      }
    }
    return freeBytes;
  }

  return {
    noteFailure(err: unknown): void {
      failure = { code: String((err as { code?: unknown }).code), atMs: now() };
    },
    noteSuccess(): void {
      failure = null;
    },
    /** `writable: false` with a reason when the last write failed or the disk is (nearly) full. */
    state(): { writable: boolean; reason?: string; free_bytes: number | null } {
      const freeNow = free();
      if (failure)
        return {
          writable: false,
          reason: `last write failed (${failure.code}) at ${new Date(failure.atMs).toISOString()}`,
          free_bytes: freeNow,
        };
      if (freeNow !== null && freeNow < MIN_FREE_BYTES)
        return { writable: false, reason: `only ${freeNow} bytes free on the database's disk`, free_bytes: freeNow };
      return { writable: true, free_bytes: freeNow };
    },
  };
}

export type DbHealth = ReturnType<typeof createDbHealth>;
