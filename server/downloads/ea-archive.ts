import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type Zippable, zipSync } from "fflate";

/** Where the EA's sources live in this repository. */
export const EA_DIR = fileURLToPath(new URL("../../bridge/mt5/", import.meta.url));

/** Folders under bridge/mt5 that are not the EA (the C++ emulation, build output). */
const SKIPPED_DIRS = new Set(["emu", "build", "node_modules"]);

/** An EA source file: its path inside the archive (always `/`) and where it is on disk. */
export interface EaFile {
  path: string;
  fullPath: string;
  mtimeMs: number;
  size: number;
}

/**
 * The EA's source files under `dir`: every `.mq5` and `.mqh`, with their relative paths, found
 * now (the EA may be split into more includes at any time). Emulation and build folders and
 * hidden folders are left out: the archive is what a trader copies into `MQL5/Experts`.
 */
export function listEaFiles(dir: string = EA_DIR): EaFile[] {
  const found: EaFile[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const fullPath = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_DIRS.has(entry.name.toLowerCase())) walk(fullPath);
      } else if (entry.isFile() && /\.(mq5|mqh)$/i.test(entry.name)) {
        const stat = statSync(fullPath);
        found.push({
          path: relative(dir, fullPath).split(sep).join("/"),
          fullPath,
          mtimeMs: stat.mtimeMs,
          size: stat.size,
        });
      }
    }
  };
  walk(dir);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The zip a trader downloads, built with fflate (small, no dependencies, synchronous API): the
 * files of `listEaFiles`, deflated. Rebuilt only when a file was added, removed or changed.
 */
export function createEaArchive(dir: string = EA_DIR) {
  let cached: { key: string; zip: Uint8Array } | null = null;
  return {
    /** The archive as of now, and the files in it. */
    build(): { zip: Uint8Array; files: EaFile[] } {
      const files = listEaFiles(dir);
      if (files.length === 0) throw new Error(`no EA sources (.mq5/.mqh) under ${dir}`);
      const key = files.map((f) => `${f.path}:${f.mtimeMs}:${f.size}`).join("|");
      if (cached?.key !== key) {
        const entries: Zippable = {};
        for (const f of files) entries[f.path] = [readFileSync(f.fullPath), { mtime: new Date(f.mtimeMs) }];
        cached = { key, zip: zipSync(entries, { level: 9 }) };
      }
      return { zip: cached.zip, files };
    },
  };
}

/**
 * An MT5 preset (`.set`) filling the EA's inputs that Sortie knows: the server address and, when
 * given, the bridge token. MetaTrader writes presets as UTF-16LE with a byte-order mark and reads
 * them back the same way, so that is what this returns.
 */
export function eaPreset(serverUrl: string, token: string | null): Buffer {
  const lines = [
    "; Sortie bridge EA inputs: load with Inputs → Load in the EA's properties",
    `ServerUrl=${serverUrl}`,
    `BridgeToken=${token ?? ""}`,
  ];
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${lines.join("\r\n")}\r\n`, "utf16le")]);
}
