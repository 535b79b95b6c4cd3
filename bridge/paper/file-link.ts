/** The EA's file-drop transport: reads `in/*.json`, writes `out/` reports and `heartbeat.json`. */
import { mkdir, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { errorText, isSafeFileId, writeFileAtomic } from "../filedrop/files.ts";
import type { Heartbeat } from "../protocol.ts";
import { createQuietLog, type PaperLink, sleep } from "./link.ts";

export interface FileLinkOptions {
  dir: string;
  /** How often `in/` is scanned. Default 200. */
  pollMs?: number;
  log: (line: string) => void;
}

export function createFileLink(options: FileLinkOptions): PaperLink {
  const inDir = join(options.dir, "in");
  const outDir = join(options.dir, "out");
  const quiet = createQuietLog(options.log);
  let folders: Promise<unknown> | null = null;
  const ensureFolders = () => {
    folders ??= Promise.all([mkdir(inDir, { recursive: true }), mkdir(outDir, { recursive: true })]).catch((error) => {
      folders = null;
      throw error;
    });
    return folders;
  };

  return {
    async runIntake(handle, signal) {
      await ensureFolders().catch(() => {});
      while (!signal.aborted) {
        try {
          const names = (await readdir(inDir)).filter((name) => name.endsWith(".json")).sort();
          for (const name of names) {
            if (signal.aborted) return;
            const path = join(inDir, name);
            let raw: unknown;
            try {
              raw = JSON.parse(await readFile(path, "utf8"));
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
              // Sortie writes atomically, so this is not a half-written file: set it aside.
              options.log(`paper: unreadable command file ${name}: ${errorText(error)}; renamed to .bad`);
              await rename(path, `${path}.bad`).catch(() => {});
              continue;
            }
            // Deleted only once handled and saved: after a crash the file is read again and deduplicated.
            if (await handle(raw)) await unlink(path).catch(() => {});
          }
          quiet("intake", null);
        } catch (error) {
          quiet("intake", `paper: reading ${inDir} failed: ${errorText(error)}`);
        }
        await sleep(options.pollMs ?? 200, signal);
      }
    },

    async sendHeartbeat(body: Heartbeat) {
      try {
        await ensureFolders();
        await writeFileAtomic(join(options.dir, "heartbeat.json"), JSON.stringify(body));
        quiet("heartbeat", null);
        return true;
      } catch (error) {
        quiet("heartbeat", `paper: writing heartbeat.json failed: ${errorText(error)}`);
        return false;
      }
    },

    async sendReport(item) {
      if (!isSafeFileId(item.body.id)) {
        options.log(`paper: command id ${JSON.stringify(item.body.id)} cannot be a file name; report dropped`);
        return "drop";
      }
      const name = item.kind === "result" ? `${item.body.id}.json` : `${item.body.id}.closed.json`;
      try {
        await ensureFolders();
        await writeFileAtomic(join(outDir, name), JSON.stringify({ type: item.kind, ...item.body }));
        return "sent";
      } catch (error) {
        quiet("report", `paper: writing out/${name} failed: ${errorText(error)}; will retry`);
        return "retry";
      }
    },
  };
}
