/** What the paper terminal needs from a transport, and small helpers both transports share. */
import type { Heartbeat } from "../protocol.ts";
import type { OutboxItem } from "./types.ts";

/** "retry": try again later (network down, server error); "drop": the server refused it for good. */
export type SendOutcome = "sent" | "retry" | "drop";

/** Handles one received command; resolves true once its result is saved (false: not handled, e.g. crashed). */
export type CommandHandler = (raw: unknown) => Promise<boolean>;

export interface PaperLink {
  /** Receives commands until `signal` aborts; never throws. */
  runIntake(handle: CommandHandler, signal: AbortSignal): Promise<void>;
  sendHeartbeat(body: Heartbeat, signal: AbortSignal): Promise<boolean>;
  sendReport(item: OutboxItem, signal: AbortSignal): Promise<SendOutcome>;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Exponential backoff: base, 2×base, … capped at max; `reset()` after a success. */
export function createBackoff(baseMs: number, maxMs: number): { next(): number; reset(): void } {
  let currentMs = baseMs;
  return {
    next() {
      const waitMs = currentMs;
      currentMs = Math.min(currentMs * 2, maxMs);
      return waitMs;
    },
    reset() {
      currentMs = baseMs;
    },
  };
}

/** A logger that repeats nothing: a line is written only when it differs from the channel's last one. */
export function createQuietLog(log: (line: string) => void): (channel: string, line: string | null) => void {
  const last = new Map<string, string | null>();
  return (channel, line) => {
    if (last.get(channel) === line) return;
    last.set(channel, line);
    if (line !== null) log(line);
  };
}
