/** Small file helpers shared by both ends of the file-drop transport. */
import { constants } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";

/**
 * Flags for a temp file: created by us or not at all (O_EXCL), never through a link (O_NOFOLLOW).
 * With plain "w" a symlink planted at `in/<id>.tmp` made the next write overwrite its target.
 */
const CREATE_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Command ids become file names, so only plain characters are accepted: this refuses path
 * separators and `..` (a hostile or broken id must never write outside the bridge folder).
 */
export function isSafeFileId(id: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/.test(id) && !id.includes("..");
}

/** `in/abc.json` → `in/abc.tmp`; `out/abc.closed.json` → `out/abc.closed.tmp` (the contract's naming). */
export function tmpPathFor(finalPath: string): string {
  return finalPath.endsWith(".json") ? `${finalPath.slice(0, -".json".length)}.tmp` : `${finalPath}.tmp`;
}

/**
 * Writes `text` to `<name>.tmp`, flushes it to disk, then renames it over `finalPath`, so a reader
 * polling the folder sees either no file or the whole file, never a partial one. The temp file is
 * created exclusively: anything already at its name (a link, a stale file) makes the write fail,
 * and the stale-tmp sweep moves it aside; the rename then replaces a link at `finalPath` itself,
 * never its target.
 */
export async function writeFileAtomic(finalPath: string, text: string): Promise<void> {
  const tmpPath = tmpPathFor(finalPath);
  const handle = await open(tmpPath, CREATE_EXCLUSIVE, 0o644);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmpPath, finalPath);
  } catch (error) {
    await unlink(tmpPath).catch(() => {});
    throw error;
  }
}

/** Message of an unknown thrown value, for log lines. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
