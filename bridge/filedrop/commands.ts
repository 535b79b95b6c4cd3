/** Sortie → terminal: drops due commands into `in/`. */
import { access, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { TerminalCommand } from "../protocol.ts";
import type { FileDropContext } from "./context.ts";
import { errorText, isSafeFileId, writeFileAtomic } from "./files.ts";
import { quarantineFile } from "./quarantine.ts";

/**
 * Takes the commands due now and writes each as `in/<id>.json` (via `in/<id>.tmp` + rename).
 * A command whose file is still waiting in `in/` is not rewritten: the terminal has not read it yet.
 */
export async function deliverCommands(ctx: FileDropContext): Promise<void> {
  let commands: TerminalCommand[];
  try {
    commands = await ctx.service.takeCommands(ctx.userId);
  } catch (error) {
    ctx.log(`filedrop: takeCommands failed: ${errorText(error)}`);
    return;
  }
  for (const command of commands) {
    if (!isSafeFileId(command.id)) {
      ctx.log(`filedrop: command id ${JSON.stringify(command.id)} cannot be a file name; not delivered`);
      continue;
    }
    const path = join(ctx.inDir, `${command.id}.json`);
    if (await exists(path)) continue;
    try {
      await writeFileAtomic(path, JSON.stringify(command));
    } catch (error) {
      ctx.log(`filedrop: cannot write ${path}: ${errorText(error)}`);
    }
  }
}

/** `.tmp` files left in `in/` (ours after a crash mid-write, or planted links) are moved aside once stale. */
export async function sweepStaleCommandTmp(ctx: FileDropContext): Promise<void> {
  const names = await readdir(ctx.inDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith(".tmp")) continue;
    const path = join(ctx.inDir, name);
    // lstat: a planted link is judged (and moved aside) itself, never through its target.
    const modifiedMs = await lstat(path).then(
      (stats) => stats.mtimeMs,
      () => null,
    );
    if (modifiedMs !== null && ctx.now() - modifiedMs > ctx.tmpStaleMs) {
      await quarantineFile(path, ctx.quarantineDir, "abandoned .tmp file", ctx.log, "in");
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
