import type { BotLog } from "../context.ts";

/**
 * Serial work per key (one alert, one user's DMs) so edits of one message never overtake each
 * other, with every task tracked so shutdown and tests can wait for what is in flight.
 */
export function createWorkQueue(log: BotLog) {
  const chains = new Map<string, Promise<void>>();
  const inflight = new Set<Promise<void>>();

  return {
    /** Runs `task` after the previous task of the same key; a failure is logged, never thrown. */
    run(key: string, task: () => Promise<void>): void {
      const previous = chains.get(key) ?? Promise.resolve();
      const next = previous.then(task).catch((err: unknown) => log(`notifier task ${key} failed`, err));
      chains.set(key, next);
      inflight.add(next);
      void next.then(() => {
        inflight.delete(next);
        if (chains.get(key) === next) chains.delete(key);
      });
    },
    /** Resolves when nothing is in flight (tasks queued meanwhile included). */
    async drain(): Promise<void> {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
  };
}

export type WorkQueue = ReturnType<typeof createWorkQueue>;
