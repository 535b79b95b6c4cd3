/** Sends queued reports in order, one at a time, retrying with backoff until each is delivered. */
import { createBackoff, type SendOutcome } from "./link.ts";
import type { OutboxItem } from "./types.ts";

export interface OutboxSenderDeps {
  /** The live queue (the state file's `outbox`); only this sender removes from it. */
  items: () => OutboxItem[];
  send: (item: OutboxItem) => Promise<SendOutcome>;
  /** Called after the head item was delivered or dropped and removed; should save the state. */
  removed: (item: OutboxItem, outcome: SendOutcome) => void;
  /** False once the terminal stopped or crashed: nothing more is sent or removed. */
  isActive: () => boolean;
  pause: (ms: number) => Promise<void>;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface OutboxSender {
  /** Starts sending if there is anything queued and no send loop is running. */
  kick(): void;
  /** Resolves when the send loop is idle. */
  idle(): Promise<void>;
}

export function createOutboxSender(deps: OutboxSenderDeps): OutboxSender {
  const backoff = createBackoff(deps.retryBaseMs, deps.retryMaxMs);
  let running: Promise<void> | null = null;

  async function run(): Promise<void> {
    while (deps.isActive()) {
      const item = deps.items()[0];
      if (!item) return;
      const outcome = await deps.send(item);
      if (!deps.isActive()) return;
      if (outcome === "retry") {
        await deps.pause(backoff.next());
        continue;
      }
      backoff.reset();
      if (deps.items()[0] === item) deps.items().shift();
      deps.removed(item, outcome);
    }
  }

  function kick(): void {
    if (running || !deps.isActive() || deps.items().length === 0) return;
    running = run().finally(() => {
      running = null;
      // An item queued just as the loop was finishing must not wait for the next kick.
      if (deps.items().length > 0) kick();
    });
  }

  return { kick, idle: () => running ?? Promise.resolve() };
}
