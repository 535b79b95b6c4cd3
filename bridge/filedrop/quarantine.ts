/** Moves files Sortie cannot use out of the way, so they are kept for a human and never re-read. */
import { rename } from "node:fs/promises";
import { basename, join } from "node:path";
import { errorText } from "./files.ts";

/**
 * Renames `path` into `quarantineDir` (prefixed with the time and its folder, so names never
 * collide) and logs why. A file that vanished meanwhile is not an error.
 */
export async function quarantineFile(
  path: string,
  quarantineDir: string,
  reason: string,
  log: (line: string) => void,
  folderLabel: string,
): Promise<void> {
  const prefix = folderLabel ? `${folderLabel}-` : "";
  const target = join(quarantineDir, `${Date.now()}-${prefix}${basename(path)}`);
  try {
    await rename(path, target);
    log(`filedrop: quarantined ${folderLabel ? `${folderLabel}/` : ""}${basename(path)}: ${reason}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    log(`filedrop: could not quarantine ${path} (${reason}): ${errorText(error)}`);
  }
}
