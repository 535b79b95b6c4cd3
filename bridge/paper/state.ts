/**
 * The paper terminal's durable memory, like the EA's state file: executed command ids with their
 * results, the simulated broker's positions and balance, and reports not yet delivered.
 * Written synchronously with fsync, so what `saveState` returned from survives a crash.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { CommandResult } from "../protocol.ts";
import type { OutboxItem, PaperClosedPosition, PaperPosition } from "./types.ts";

export interface PaperState {
  version: 1;
  /** Command id → its result; null = recorded, order being sent (outcome not yet saved). */
  executed: Record<string, CommandResult | null>;
  nextTicket: number;
  balance: number;
  positions: PaperPosition[];
  closed: PaperClosedPosition[];
  /** Parts of positions closed by a partial close (the position stays open with the rest). */
  partials?: PaperClosedPosition[];
  outbox: OutboxItem[];
}

export function freshState(balance: number): PaperState {
  return { version: 1, executed: {}, nextTicket: 1_000_001, balance, positions: [], closed: [], outbox: [] };
}

/**
 * Reads the state file, or a fresh state when there is none. A corrupt file stops start-up:
 * silently forgetting executed ids could open a trade twice.
 */
export function loadState(path: string, startingBalance: number): PaperState {
  if (!existsSync(path)) return freshState(startingBalance);
  const text = readFileSync(path, "utf8");
  let parsed: PaperState;
  try {
    parsed = JSON.parse(text) as PaperState;
  } catch (error) {
    throw new Error(`paper terminal: state file ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (parsed?.version !== 1 || typeof parsed.executed !== "object") {
    throw new Error(`paper terminal: state file ${path} has an unknown format`);
  }
  return { ...freshState(startingBalance), ...parsed };
}

/** Writes `<path>.tmp`, fsyncs it, renames it over `path`, then fsyncs the folder where supported. */
export function saveState(path: string, state: PaperState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmpPath = `${path}.tmp`;
  const fd = openSync(tmpPath, "w");
  try {
    writeSync(fd, JSON.stringify(state));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmpPath, path);
  try {
    const dirFd = openSync(dirname(path), "r");
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Windows cannot open or fsync a directory; the rename is still atomic there.
  }
}
