/**
 * Sortie's side of the MT5 bridge file-drop transport (`shared/CONTRACT.md`, "File drop"), for a
 * terminal on the same machine: a thin adapter between the bridge folder and a `BridgeService`.
 */
import { type FSWatcher, watch } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { BridgeService } from "../protocol.ts";
import { deliverCommands, sweepStaleCommandTmp } from "./commands.ts";
import type { FileDropContext } from "./context.ts";
import { errorText } from "./files.ts";
import { createHeartbeatScanner } from "./heartbeat.ts";
import { scanReports } from "./reports.ts";

export { isSafeFileId, tmpPathFor, writeFileAtomic } from "./files.ts";

export interface FileDropTransportOptions {
  /** The bridge folder (the terminal's `MQL5/Files/sortie`); `in/`, `out/`, `quarantine/` are made in it. */
  dir: string;
  userId: number;
  service: BridgeService;
  /** Scan interval; fs.watch only wakes scans early because it is unreliable across platforms. Default 200. */
  pollMs?: number;
  log?: (line: string) => void;
  /** Default 5000. */
  tmpStaleMs?: number;
  /** Default 1000. */
  settleMs?: number;
  /** Default 30000 (the contract's HEARTBEAT_STALE_S). */
  heartbeatMaxAgeMs?: number;
  now?: () => number;
}

export interface FileDropTransport {
  /** Creates the folders and starts scanning. */
  start(): Promise<void>;
  /** Stops scanning and waits for a scan in progress to finish. */
  stop(): Promise<void>;
  /** Runs one full scan now (also used by tests). */
  scanNow(): Promise<void>;
}

/** Builds the watcher for one user's bridge folder. Nothing runs until `start()`. */
export function createFileDropTransport(options: FileDropTransportOptions): FileDropTransport {
  const pollMs = options.pollMs ?? 200;
  const ctx: FileDropContext = {
    dir: options.dir,
    inDir: join(options.dir, "in"),
    outDir: join(options.dir, "out"),
    quarantineDir: join(options.dir, "quarantine"),
    userId: options.userId,
    service: options.service,
    log: options.log ?? (() => {}),
    settleMs: options.settleMs ?? 1000,
    tmpStaleMs: options.tmpStaleMs ?? 5000,
    heartbeatMaxAgeMs: options.heartbeatMaxAgeMs ?? 30_000,
    now: options.now ?? Date.now,
  };
  const scanHeartbeat = createHeartbeatScanner(ctx);
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let watchers: FSWatcher[] = [];
  let waitAbort = new AbortController();
  let current: Promise<void> | null = null;
  let again = false;

  async function scanOnce(): Promise<void> {
    // Reports first: a result that just arrived must settle its command before we take commands.
    await scanHeartbeat();
    await scanReports(ctx);
    await deliverCommands(ctx);
    await sweepStaleCommandTmp(ctx);
  }

  /** Runs scans one at a time; a wake-up during a scan asks for one more. */
  function scanNow(): Promise<void> {
    if (current) {
      again = true;
      return current;
    }
    current = (async () => {
      try {
        do {
          again = false;
          await scanOnce().catch((error) => ctx.log(`filedrop: scan failed: ${errorText(error)}`));
        } while (again && running);
      } finally {
        current = null;
      }
    })();
    return current;
  }

  function wake(): void {
    if (running) void scanNow();
  }

  function watchFolder(path: string): void {
    try {
      const watcher = watch(path, { persistent: false }, wake);
      watcher.on("error", () => watcher.close());
      watchers.push(watcher);
    } catch (error) {
      ctx.log(`filedrop: fs.watch unavailable for ${path} (${errorText(error)}); polling only`);
    }
  }

  /** Long-waits on the service so a new command is written at once rather than at the next poll. */
  async function waitLoop(signal: AbortSignal): Promise<void> {
    while (running && !signal.aborted) {
      const startedMs = Date.now();
      await options.service.waitForCommands(ctx.userId, 25_000, signal).catch(() => {});
      if (!running || signal.aborted) return;
      wake();
      // Guard against a service that answers at once: never spin faster than the poll.
      if (Date.now() - startedMs < 50) await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  return {
    async start() {
      if (running) return;
      for (const folder of [ctx.dir, ctx.inDir, ctx.outDir, ctx.quarantineDir])
        await mkdir(folder, { recursive: true });
      running = true;
      watchFolder(ctx.dir);
      watchFolder(ctx.outDir);
      timer = setInterval(wake, pollMs);
      waitAbort = new AbortController();
      void waitLoop(waitAbort.signal);
      wake();
    },
    async stop() {
      running = false;
      clearInterval(timer);
      for (const watcher of watchers) watcher.close();
      watchers = [];
      waitAbort.abort();
      await current;
    },
    scanNow,
  };
}
