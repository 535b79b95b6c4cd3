import { opendir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  type LegacyMismatch,
  type LegacyMission,
  legacyMismatch,
  parseLegacyMission,
  signalFingerprint,
} from "../../core/legacy.ts";
import type { SymbolLookup } from "../../core/signal.ts";
import type { Store } from "../../db/store.ts";
import type { Clock } from "../clock.ts";
import { symbolLookup } from "../services/symbol-lookup.ts";

/** Files read at once: their reads overlap, and their writes share one transaction. */
const CHUNK = 256;
/** A legacy file is a few hundred bytes; anything this large is not one (and is not read). */
const MAX_FILE_BYTES = 1024 * 1024;

export interface ImportProgress {
  files: number;
  bytes: number;
  signals: number;
  users: number;
  skipped: number;
}

export interface ImportResult extends ImportProgress {
  /** The files imported (name → bytes), in folder order: what `--archive` packs. */
  imported: Map<string, number>;
  mismatches: number;
}

export interface ImportOptions {
  store: Store;
  clock: Clock;
  folder: string;
  onProgress?: (progress: ImportProgress) => void;
  onSkip?: (file: string, reason: string) => void;
  onMismatch?: (mismatch: LegacyMismatch) => void;
}

interface ReadFile {
  name: string;
  text: string | null;
  bytes: number;
  error: string | null;
}

async function readOne(folder: string, name: string): Promise<ReadFile> {
  const path = join(folder, name);
  try {
    const info = await stat(path);
    if (!info.isFile()) return { name, text: null, bytes: 0, error: "not a regular file" };
    if (info.size > MAX_FILE_BYTES) return { name, text: null, bytes: info.size, error: "larger than 1 MiB" };
    const text = await readFile(path, "utf8");
    return { name, text, bytes: Buffer.byteLength(text), error: null };
  } catch (err) {
    return { name, text: null, bytes: 0, error: `unreadable (${(err as NodeJS.ErrnoException).code ?? "error"})` };
  }
}

/** The folder's entry names, a chunk at a time: `opendir` streams them (never the whole listing). */
async function* chunksOf(folder: string): AsyncGenerator<string[]> {
  const dir = await opendir(folder, { bufferSize: CHUNK });
  let chunk: string[] = [];
  for await (const entry of dir) {
    chunk.push(entry.name);
    if (chunk.length === CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Imports a folder of legacy mission files (CONTRACT.md "Legacy mission files"). Reads it as a
 * stream, CHUNK files at a time; each chunk's valid files are written in one transaction, so a
 * file is imported whole or not at all. One signal per signal id (same id; an expired one reads
 * expired), one user per user id. Users already in Sortie are left as they are (their terminal's
 * balance wins); a user this run creates gets the overlay of their newest file. Idempotent: a
 * second run finds everything stored and adds nothing. Invalid files are skipped and named.
 */
export async function importLegacyFolder(options: ImportOptions): Promise<ImportResult> {
  const { store, folder } = options;
  /** Per raw symbol: the digits a terminal reported for it when it is not built in (core is sync). */
  const lookups = new Map<string, SymbolLookup>();
  const lookupFor = async (text: string): Promise<SymbolLookup | undefined> => {
    let symbol: unknown;
    try {
      symbol = (JSON.parse(text) as { symbol?: unknown } | null)?.symbol;
    } catch {
      return undefined; // parseLegacyMission names the error
    }
    if (typeof symbol !== "string") return undefined;
    let lookup = lookups.get(symbol);
    if (!lookup) {
      lookup = await symbolLookup(store, symbol);
      if (lookups.size >= 10_000) lookups.clear();
      lookups.set(symbol, lookup);
    }
    return lookup;
  };
  const result: ImportResult = {
    files: 0,
    bytes: 0,
    signals: 0,
    users: 0,
    skipped: 0,
    imported: new Map(),
    mismatches: 0,
  };
  /** Per signal id: what every file of it must agree on, and where that came from. */
  const signalSeen = new Map<string, { fingerprint: string; from: string }>();
  /** Per user id: whether this run created the user, and the time of the newest file applied. */
  const userSeen = new Map<number, { created: boolean; newestMs: number }>();
  /** (signal, user) pairs already imported in this run, with the file that brought each. */
  const pairSeen = new Map<string, string>();

  const skip = (name: string, reason: string) => {
    result.skipped++;
    options.onSkip?.(name, reason);
  };

  const check = async (name: string, mission: LegacyMission): Promise<string | null> => {
    const pair = `${mission.signalId}\u0000${mission.userId}`;
    const earlier = pairSeen.get(pair);
    if (earlier !== undefined) return `duplicate of ${earlier} (same signal and user)`;
    let known = signalSeen.get(mission.signalId);
    if (!known) {
      const stored = await store.signals.findSignal(mission.signalId);
      known = stored
        ? { fingerprint: signalFingerprint(stored), from: "the signal already stored under this id" }
        : { fingerprint: signalFingerprint(mission.signal), from: name };
      signalSeen.set(mission.signalId, known);
    }
    if (known.fingerprint !== signalFingerprint(mission.signal)) {
      return `signal ${mission.signalId} differs from ${known.from} (symbol, side, prices or expiry)`;
    }
    pairSeen.set(pair, name);
    return null;
  };

  const write = async (missions: LegacyMission[]) => {
    const now = new Date(options.clock.now()).toISOString();
    // Counted in the callback, applied after the commit: PostgreSQL may run it again whole.
    const tally = await store.transaction(async () => {
      const out = { signals: 0, users: 0, seen: new Map<number, { created: boolean; newestMs: number }>() };
      for (const mission of missions) {
        if (await store.legacy.insertLegacySignal(mission)) out.signals++;
        const user = out.seen.get(mission.userId) ?? userSeen.get(mission.userId);
        if (!user) {
          const created = await store.legacy.insertLegacyUser(mission, now);
          if (created) out.users++;
          out.seen.set(mission.userId, { created, newestMs: mission.createdMs });
        } else if (user.created && mission.createdMs > user.newestMs) {
          await store.legacy.updateLegacyUser(mission, now);
          out.seen.set(mission.userId, { created: true, newestMs: mission.createdMs });
        }
      }
      return out;
    });
    result.signals += tally.signals;
    result.users += tally.users;
    for (const [id, seen] of tally.seen) userSeen.set(id, seen);
  };

  for await (const names of chunksOf(folder)) {
    const files = await Promise.all(names.map((name) => readOne(folder, name)));
    const valid: LegacyMission[] = [];
    for (const file of files) {
      result.files++;
      result.bytes += file.bytes;
      if (file.text === null) {
        skip(file.name, file.error ?? "unreadable");
        continue;
      }
      const parsed = parseLegacyMission(file.name, file.text, await lookupFor(file.text));
      if (!parsed.ok) {
        skip(file.name, parsed.reason);
        continue;
      }
      const refusal = await check(file.name, parsed.mission);
      if (refusal !== null) {
        skip(file.name, refusal);
        continue;
      }
      valid.push(parsed.mission);
      result.imported.set(file.name, file.bytes);
      const mismatch = legacyMismatch(file.name, parsed.mission);
      if (mismatch) {
        result.mismatches++;
        options.onMismatch?.(mismatch);
      }
    }
    if (valid.length > 0) await write(valid);
    options.onProgress?.(result);
  }
  return result;
}
