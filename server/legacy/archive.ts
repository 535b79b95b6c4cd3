import { existsSync } from "node:fs";
import { rename, rm, stat, unlink } from "node:fs/promises";
import { resolve } from "node:path";
import * as tar from "tar";

/**
 * Packs `files` (names inside `folder`, with the byte size each had when it was imported) into
 * one gzip'd tar at `target` with node-tar, and checks the archive before it counts: written to
 * `<target>.partial`, listed back, every file present at its size, then renamed. Throws (leaving
 * no archive and every file in place) on any problem. Returns the archive's size in bytes.
 */
export async function writeArchive(folder: string, files: Map<string, number>, target: string): Promise<number> {
  const finalPath = resolve(target);
  if (existsSync(finalPath)) throw new Error(`${finalPath} already exists; choose another archive name`);
  const partial = `${finalPath}.partial`;
  try {
    // `portable` leaves out owner names and ctimes so the same files always give the same archive.
    await tar.c({ gzip: true, file: partial, cwd: folder, portable: true }, [...files.keys()]);
    const listed = new Map<string, number>();
    await tar.t({ file: partial, onReadEntry: (entry) => listed.set(entry.path, entry.size ?? -1) });
    for (const [name, bytes] of files) {
      const size = listed.get(name);
      if (size !== bytes)
        throw new Error(`the archive's copy of ${name} is ${size ?? "missing"}, expected ${bytes} bytes`);
    }
    if (listed.size !== files.size) throw new Error(`the archive has ${listed.size} entries, expected ${files.size}`);
    await rename(partial, finalPath);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return (await stat(finalPath)).size;
}

/** Removes the archived files from `folder` (after `writeArchive` succeeded, never before). */
export async function removeArchived(folder: string, files: Iterable<string>): Promise<number> {
  let removed = 0;
  for (const name of files) {
    await unlink(resolve(folder, name));
    removed++;
  }
  return removed;
}
