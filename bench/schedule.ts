import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../bridge/paper/feed.ts";
import { openDb } from "../db/index.ts";
import { createStore } from "../db/store.ts";
import { systemClock } from "../server/clock.ts";
import { loadConfig } from "../server/config/index.ts";
import { createContext } from "../server/context.ts";
import { startScheduler } from "../server/scheduler.ts";
import { percentile } from "./support.ts";

const SIGNALS = 500;
const SPREAD_MS = 60_000;
const LEAD_MS = 3_000;

/**
 * Scheduled-signal lateness: 500 signals scheduled through the signal service (validation, one
 * transaction each) at random moments over one minute, published by the real scheduler on a real
 * SQLite file. Lateness = when `signal.created` is emitted (after the publishing transaction
 * commits: the moment alerts start) − `publish_at`. Also checks nothing went out early or twice.
 */
export async function benchSchedule() {
  const dir = mkdtempSync(join(tmpdir(), "sortie-bench-schedule-"));
  const sqlite = openDb(join(dir, "sortie.db"));
  const store = createStore(sqlite);
  const config = loadConfig({ DATABASE_PATH: join(dir, "sortie.db"), ADMIN_API_TOKEN: "bench-admin-token-0123456789" });
  const ctx = createContext({ store, config, clock: systemClock });
  const scheduler = startScheduler(ctx);
  const random = mulberry32(15);
  const publishAt = new Map<string, number>();
  const latenessMs: number[] = [];
  let early = 0;
  let twice = 0;
  const seen = new Set<string>();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  ctx.hub.on("signal.created", ({ signal }) => {
    const at = publishAt.get(signal.id)!;
    const late = Date.now() - at;
    if (late < 0) early++;
    if (seen.has(signal.id)) twice++;
    seen.add(signal.id);
    latenessMs.push(late);
    if (latenessMs.length === SIGNALS) done();
  });

  const start = Date.now() + LEAD_MS;
  const scheduleStarted = performance.now();
  for (let i = 0; i < SIGNALS; i++) {
    // Whole milliseconds at random over the minute (several may share one).
    const at = start + Math.floor(random() * SPREAD_MS);
    const { signal } = await ctx.signals.create(
      {
        symbol: "EURUSD",
        side: "BUY",
        entry: 1.085,
        stop_loss: 1.083,
        take_profit: [1.089],
        expires_in_min: 30,
        publish_at: new Date(at).toISOString(),
      },
      { source: "api", actor: "bench" },
    );
    publishAt.set(signal.id, at);
  }
  const scheduleMs = performance.now() - scheduleStarted;
  const timeout = setTimeout(done, SPREAD_MS + LEAD_MS + 30_000);
  await finished;
  clearTimeout(timeout);
  scheduler.stop();
  const stored = (
    sqlite.prepare("SELECT COUNT(*) AS n FROM signals").get() as {
      n: number;
    }
  ).n;
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    signals: SIGNALS,
    over_ms: SPREAD_MS,
    scheduling_ms_total: Math.round(scheduleMs),
    published: latenessMs.length,
    stored_public: stored,
    published_early: early,
    published_twice: twice,
    lateness_ms: {
      p50: percentile(latenessMs, 50),
      p95: percentile(latenessMs, 95),
      p99: percentile(latenessMs, 99),
      max: Math.max(...latenessMs),
    },
    target: "p99 ≤ 250 ms",
  };
}
