import type { AppContext } from "./context.ts";

/**
 * Background upkeep, once a second: announces signals that just expired (missions and alerts
 * update live), expires bridge commands that can no longer execute, and announces terminals that
 * went quiet (`bridge.status` offline). Returns a stop function.
 */
export function startSweeper(
  ctx: AppContext,
  intervalMs = 1000,
  log: (msg: string, err: unknown) => void = () => undefined,
): () => void {
  const { store, hub, clock, config } = ctx;
  let lastMs = clock.now();
  /** Terminals announced online; each tick re-reads their last contact from the database. */
  const online = new Set<number>();
  const staleMs = config.heartbeatStaleS * 1000;

  const offStatus = hub.on("bridge.status", ({ user_id, online: isOnline }) => {
    if (isOnline) online.add(user_id);
  });

  let running = false;
  const tick = async () => {
    if (running) return; // a slow database: never two ticks at once
    running = true;
    try {
      const nowMs = clock.now();
      for (const signal of await store.signals.listExpiredBetween(lastMs, nowMs)) {
        hub.emit("signal.expired", { signal });
      }
      lastMs = nowMs;
      await ctx.bridge.sweep();
      for (const userId of online) {
        const seen = (await store.users.findUser(userId))?.bridge_seen_ms ?? null;
        if (seen === null || nowMs - seen > staleMs) {
          online.delete(userId);
          hub.emit("bridge.status", {
            user_id: userId,
            online: false,
            last_seen: seen === null ? null : new Date(seen).toISOString(),
          });
        }
      }
    } catch (err) {
      log("sweeper tick failed", err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    offStatus();
  };
}
