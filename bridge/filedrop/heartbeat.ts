/** Picks up `heartbeat.json` each time the terminal rewrites it. */
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { Heartbeat } from "../protocol.ts";
import type { FileDropContext } from "./context.ts";
import { errorText } from "./files.ts";
import { quarantineFile } from "./quarantine.ts";
import { readJsonFile } from "./read-json.ts";
import { describeMismatch, HeartbeatSchema } from "./schemas.ts";

/** 2,000 symbol specs and 2,000 prices (the caps) in UTF-16, as MQL5 may write them, with room. */
export const MAX_HEARTBEAT_BYTES = 2 * 1024 * 1024;

/**
 * Returns a scanner that hands each new version of `heartbeat.json` to `service.heartbeat`.
 * The file stays in place (it is rewritten, not queued), so a version is recognised by inode,
 * mtime and size; an old file left behind by a stopped terminal must not make it look online.
 */
export function createHeartbeatScanner(ctx: FileDropContext): () => Promise<void> {
  const path = join(ctx.dir, "heartbeat.json");
  let lastVersion = "";
  return async function scanHeartbeat(): Promise<void> {
    // Size and mtime first: an unchanged or stale file is never read again, and one over the cap
    // is never parsed (a 100 MB heartbeat.json kept a core busy re-parsing it every 200 ms).
    const seen = await lstat(path).catch(() => null);
    if (!seen) return;
    const version = `${seen.ino}:${seen.mtimeMs}:${seen.size}`;
    if (version === lastVersion) return;
    if (ctx.now() - seen.mtimeMs > ctx.heartbeatMaxAgeMs) {
      lastVersion = version;
      return;
    }
    const outcome = await readJsonFile(path, ctx.settleMs, ctx.now(), MAX_HEARTBEAT_BYTES);
    if (outcome.kind === "later") return;
    if (outcome.kind === "bad") {
      await quarantineFile(path, ctx.quarantineDir, outcome.reason, ctx.log, "");
      return;
    }
    const { stats } = outcome;
    lastVersion = `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
    if (ctx.now() - stats.mtimeMs > ctx.heartbeatMaxAgeMs) return;
    const problem = describeMismatch(HeartbeatSchema, outcome.value);
    if (problem) {
      await quarantineFile(path, ctx.quarantineDir, `invalid heartbeat: ${problem}`, ctx.log, "");
      return;
    }
    try {
      await ctx.service.heartbeat(ctx.userId, outcome.value as Heartbeat);
    } catch (error) {
      ctx.log(`filedrop: heartbeat refused by the service: ${errorText(error)}`);
    }
  };
}
