/** Picks up `heartbeat.json` each time the terminal rewrites it. */
import { join } from "node:path";
import type { Heartbeat } from "../protocol.ts";
import type { FileDropContext } from "./context.ts";
import { errorText } from "./files.ts";
import { quarantineFile } from "./quarantine.ts";
import { readJsonFile } from "./read-json.ts";
import { describeMismatch, HeartbeatSchema } from "./schemas.ts";

/**
 * Returns a scanner that hands each new version of `heartbeat.json` to `service.heartbeat`.
 * The file stays in place (it is rewritten, not queued), so a version is recognised by inode,
 * mtime and size; an old file left behind by a stopped terminal must not make it look online.
 */
export function createHeartbeatScanner(ctx: FileDropContext): () => Promise<void> {
  const path = join(ctx.dir, "heartbeat.json");
  let lastVersion = "";
  return async function scanHeartbeat(): Promise<void> {
    const outcome = await readJsonFile(path, ctx.settleMs, ctx.now());
    if (outcome.kind === "later") return;
    if (outcome.kind === "bad") {
      await quarantineFile(path, ctx.quarantineDir, outcome.reason, ctx.log, "");
      return;
    }
    const { stats } = outcome;
    const version = `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
    if (version === lastVersion) return;
    lastVersion = version;
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
