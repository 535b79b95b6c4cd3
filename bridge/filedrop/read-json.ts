/** Reading one dropped JSON file with the checks every inbound file gets. */
import { constants, type Stats } from "node:fs";
import { open, stat } from "node:fs/promises";
import { errorText } from "./files.ts";

export type ReadOutcome =
  | { kind: "ok"; value: unknown; stats: Stats }
  /** Not ready: vanished, or fresh and unparseable (a non-atomic writer may still be writing). */
  | { kind: "later" }
  | { kind: "bad"; reason: string };

/** The largest report Sortie reads; a result or closed report is a few hundred bytes. */
export const MAX_REPORT_BYTES = 1024 * 1024;

/**
 * Reads and parses `path`. A file that fails to parse but changed less than `settleMs` ago gets
 * another chance on the next scan; older ones are reported as bad. Links are refused (opened with
 * O_NOFOLLOW), and so is a file over `maxBytes`, checked before a byte is read.
 */
export async function readJsonFile(
  path: string,
  settleMs: number,
  nowMs: number,
  maxBytes = MAX_REPORT_BYTES,
): Promise<ReadOutcome> {
  let stats: Stats;
  let bytes: Buffer;
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      stats = await handle.stat();
      if (!stats.isFile()) return { kind: "bad", reason: "not a regular file" };
      if (stats.size > maxBytes) return { kind: "bad", reason: `too large: ${stats.size} bytes (at most ${maxBytes})` };
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "later" };
    if (code === "ELOOP") return { kind: "bad", reason: "a symbolic link (refused)" };
    return { kind: "bad", reason: `unreadable: ${errorText(error)}` };
  }
  try {
    return { kind: "ok", value: JSON.parse(decodeText(bytes)), stats };
  } catch (error) {
    if (nowMs - stats.mtimeMs < settleMs) return { kind: "later" };
    return { kind: "bad", reason: `bad JSON: ${errorText(error)}` };
  }
}

/** True when `path` still is the very file described by `before` (not replaced since). */
export async function isSameFile(path: string, before: Stats): Promise<boolean> {
  try {
    const now = await stat(path);
    return now.ino === before.ino && now.mtimeMs === before.mtimeMs && now.size === before.size;
  } catch {
    return false;
  }
}

/**
 * MQL5's FileOpen without FILE_ANSI writes UTF-16LE with a byte-order mark, with FILE_ANSI plain
 * bytes; accept both, and a UTF-8 BOM too.
 */
function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString("utf16le");
  const text = bytes.toString("utf8");
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}
