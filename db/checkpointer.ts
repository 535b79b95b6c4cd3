import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const require = createRequire(import.meta.url);

/**
 * Moves WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside whichever
 * commit crosses the threshold and fsyncs the database file there (measured 1.6 ms p50 / 28 ms
 * p99 on these disks): a fire or a terminal's poll would pay for it. A worker thread with its own
 * connection checkpoints (PASSIVE: never blocks writers) every `intervalMs` instead; the main
 * connection turns automatic checkpoints off (see openDb's `walCheckpointing`).
 */
export function startCheckpointer(path: string, intervalMs = 1000): { stop(): Promise<void> } {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require("node:worker_threads");
    const Database = require(workerData.module);
    const db = new Database(workerData.path);
    db.pragma("busy_timeout = 1000");
    const timer = setInterval(() => {
      try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
    }, workerData.intervalMs);
    parentPort.on("message", () => {
      clearInterval(timer);
      try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
      db.close();
      parentPort.postMessage("closed");
    });
    `,
    { eval: true, workerData: { path, intervalMs, module: require.resolve("better-sqlite3") } },
  );
  worker.unref();
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.once("message", () => void worker.terminate().then(() => resolve()));
        worker.once("error", () => resolve());
        worker.postMessage("stop");
      }),
  };
}
