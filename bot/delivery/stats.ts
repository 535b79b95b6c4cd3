/** Sends counted over this long for the send rate. */
const RATE_WINDOW_MS = 60_000;

/**
 * The outbox's counters: queue depth by priority (kept as messages come and go, so reading it
 * costs nothing), sends per second over the last minute, Telegram's refusals by code.
 */
export function createSendStats(priorities: number) {
  const queued = new Array<number>(priorities).fill(0);
  /** When each recent call was answered, oldest first. */
  const recent: number[] = [];
  const errors = new Map<string, number>();
  let sentTotal = 0;
  let blockedTotal = 0;

  const prune = (nowMs: number) => {
    let drop = 0;
    while (drop < recent.length && recent[drop]! <= nowMs - RATE_WINDOW_MS) drop++;
    if (drop > 0) recent.splice(0, drop);
  };

  return {
    enqueued(priority: number): void {
      queued[priority] = (queued[priority] ?? 0) + 1;
    },
    dequeued(priority: number): void {
      queued[priority] = Math.max(0, (queued[priority] ?? 0) - 1);
    },
    clearQueued(): void {
      queued.fill(0);
    },
    queuedTotal: () => queued.reduce((a, b) => a + b, 0),
    sent(nowMs: number, messages: number): void {
      sentTotal += messages;
      recent.push(nowMs);
      prune(nowMs);
    },
    error(code: number | undefined): void {
      const key = String(code ?? "network");
      errors.set(key, (errors.get(key) ?? 0) + 1);
    },
    blocked(): void {
      blockedTotal++;
    },
    snapshot(nowMs: number, names: readonly string[]) {
      prune(nowMs);
      const spanS = RATE_WINDOW_MS / 1000;
      return {
        queued: Object.fromEntries(names.map((name, i) => [name, queued[i] ?? 0])),
        queued_total: queued.reduce((a, b) => a + b, 0),
        sent_total: sentTotal,
        /** Telegram calls answered per second over the last minute (a merged DM is one call). */
        sent_per_s: Math.round((recent.length / spanS) * 100) / 100,
        telegram_errors: Object.fromEntries(errors),
        blocked_users: blockedTotal,
      };
    },
  };
}
