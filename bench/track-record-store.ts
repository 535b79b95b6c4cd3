import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../bridge/paper/feed.ts";
import { openDb } from "../db/index.ts";
import { createStore } from "../db/store.ts";
import { buildApp } from "../server/app.ts";
import { manualClock } from "../server/clock.ts";
import { loadConfig } from "../server/config/index.ts";
import { createContext } from "../server/context.ts";
import { Hub } from "../server/events/hub.ts";
import { createResultService, createTrackRecordService } from "../server/services/track-record/index.ts";

const SIGNALS = 10_000;
const TRADERS = 50; // each fires every signal: 500,000 fires
const LEGS = 2; // 1,000,000 closed positions
const HOUR_MS = 3600_000;

const time = <T>(fn: () => T): [T, number] => {
  const started = performance.now();
  const value = fn();
  return [value, Number((performance.now() - started).toFixed(1))];
};
const timeAsync = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const value = await fn();
  return [value, Number((performance.now() - started).toFixed(1))];
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The track record through the store, as the server answers it: a SQLite file with 10,000 signals
 * and 1,000,000 closed positions (50 traders × 2 legs on every signal, generated), then
 * - cold before any result was stored (every position read: the first start after the upgrade),
 * - settling the 10,000 signals once (`signal_results`, the upgrade's one-off cost),
 * - cold after (a fresh process: signals + stored results, no position read), warm (cached answer),
 *   warm after one fire changed (one signal re-read + the summary over 10,000 outcomes),
 * - the same over HTTP (`GET /api/track-record`, app.inject: routing, schema, JSON of the curve),
 * - one trader's performance (10,000 fires, 20,000 positions), cold and warm.
 */
export async function benchTrackRecordStore() {
  const dir = mkdtempSync(join(tmpdir(), "sortie-bench-tr-"));
  const dbPath = join(dir, "sortie.db");
  const sqlite = openDb(dbPath);
  const store = createStore(sqlite);
  const random = mulberry32(17);
  const t0 = Date.parse("2025-11-01T00:00:00Z");
  const clock = manualClock(t0 + SIGNALS * HOUR_MS + 24 * HOUR_MS);

  const [, generateMs] = time(() =>
    sqlite.transaction(() => {
      const user = sqlite.prepare(
        "INSERT INTO users (id, tier, currency, created_at, updated_at) VALUES (?, 'APEX', 'USD', ?, ?)",
      );
      for (let u = 1; u <= TRADERS; u++) user.run(u, new Date(t0).toISOString(), new Date(t0).toISOString());
      const signal = sqlite.prepare(`INSERT INTO signals (id, symbol, side, entry, stop_loss, take_profit, expires_at,
        expires_ms, min_tier, status, created_at, created_ms, source) VALUES (?, ?, ?, ?, ?, '[]', ?, ?, 'NIBBLER', 'active', ?, ?, 'api')`);
      const fire = sqlite.prepare(`INSERT INTO fires (id, signal_id, user_id, state, lots, symbol, broker_symbol, side,
        profit, created_at, created_ms, updated_at, closed_at, closed_ms) VALUES (?, ?, ?, 'closed', 0.2, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const leg = sqlite.prepare(`INSERT INTO bridge_commands (id, fire_id, user_id, leg, payload, state, created_ms,
        price, volume, result_ms, close_price, profit, closed_at) VALUES (?, ?, ?, ?, '{}', 'closed', ?, ?, ?, ?, ?, ?, ?)`);
      const symbols = ["EURUSD", "GBPUSD", "USDJPY", "XAUUSD", "US30", "NAS100"];
      for (let s = 0; s < SIGNALS; s++) {
        const side = random() < 0.5 ? "BUY" : "SELL";
        const sign = side === "BUY" ? 1 : -1;
        const entry = 100 + random() * 10;
        const createdMs = t0 + s * HOUR_MS;
        const expiresMs = createdMs + HOUR_MS / 2;
        const symbol = symbols[s % symbols.length]!;
        signal.run(
          `s${s}`,
          symbol,
          side,
          entry,
          entry - sign,
          new Date(expiresMs).toISOString(),
          expiresMs,
          new Date(createdMs).toISOString(),
          createdMs,
        );
        const move = (random() - 0.45) * 3; // the signal's outcome, roughly −1.35 … +1.65 R
        for (let u = 1; u <= TRADERS; u++) {
          const fireId = `f${s}_${u}`;
          const closedMs = createdMs + HOUR_MS / 2 + Math.floor(random() * HOUR_MS);
          const closedAt = new Date(closedMs).toISOString();
          const legs = Array.from({ length: LEGS }, () => {
            const fill = entry + sign * (random() - 0.5) * 0.05;
            const close = fill + sign * (move + (random() - 0.5) * 0.2);
            return { fill, close, profit: Math.round((close - fill) * sign * 1000) / 100 };
          });
          const profit = legs.reduce((sum, l) => sum + l.profit, 0);
          const createdAt = new Date(createdMs).toISOString();
          fire.run(
            fireId,
            `s${s}`,
            u,
            symbol,
            symbol,
            side,
            profit,
            createdAt,
            createdMs,
            closedAt,
            closedAt,
            closedMs,
          );
          legs.forEach((l, i) => {
            leg.run(
              `c${s}_${u}_${i + 1}`,
              fireId,
              u,
              i + 1,
              createdMs,
              l.fill,
              0.1,
              createdMs + 200,
              l.close,
              l.profit,
              closedAt,
            );
          });
        }
      }
    })(),
  );
  sqlite.pragma("wal_checkpoint(TRUNCATE)");

  const measureChannel = async (svc: ReturnType<typeof createTrackRecordService>, hub: Hub) => {
    const [record, coldMs] = await timeAsync(() => svc.channel(null));
    const [, warmMs] = await timeAsync(() => svc.channel(null));
    const afterChange: number[] = [];
    for (let i = 0; i < 9; i++) {
      const fire = (await store.fires.findFireById(`f${i * 1000}_1`))!;
      hub.emit("fire.updated", { fire, previousState: "closed", kind: "closed" });
      afterChange.push((await timeAsync(() => svc.channel(null)))[1]);
    }
    return {
      closed: record.closed,
      cold_ms: coldMs,
      warm_cached_answer_ms: warmMs,
      warm_after_one_fire_changed_median_ms: median(afterChange),
      warm_after_one_fire_changed_runs_ms: afterChange,
    };
  };

  const hub1 = new Hub();
  const beforeResults = await measureChannel(createTrackRecordService({ store, hub: hub1, clock }), hub1);
  const [settled, settleMs] = await timeAsync(() => createResultService({ store, hub: new Hub(), clock }).catchUp());
  const hub2 = new Hub();
  const afterResults = await measureChannel(createTrackRecordService({ store, hub: hub2, clock }), hub2);

  // Over HTTP, in a fresh context (a restarted server: nothing cached).
  const config = loadConfig({
    DATABASE_PATH: dbPath,
    TRACK_RECORD_PUBLIC: "1",
    RATE_LIMIT_PER_MIN: "0",
    RATE_LIMIT_IP_PER_MIN: "0",
  });
  const ctx = createContext({ store, config, clock });
  await ctx.resultsCaughtUp;
  const app = await buildApp(ctx);
  const inject = async (url: string) => {
    const started = performance.now();
    const res = await app.inject({ method: "GET", url });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    return { ms: Number((performance.now() - started).toFixed(1)), bytes: res.body.length };
  };
  const httpCold = await inject("/api/track-record");
  const httpWarm: number[] = [];
  for (let i = 0; i < 5; i++) httpWarm.push((await inject("/api/track-record")).ms);
  const httpAfterChange: number[] = [];
  for (let i = 0; i < 5; i++) {
    const fire = (await store.fires.findFireById(`f${i * 2000 + 1}_2`))!;
    ctx.hub.emit("fire.updated", { fire, previousState: "closed", kind: "closed" });
    httpAfterChange.push((await inject("/api/track-record")).ms);
  }
  const http30Cold = await inject("/api/track-record?days=30");
  const [perf, perfColdMs] = await timeAsync(() => ctx.trackRecord.performance(1, null));
  const [, perfWarmMs] = await timeAsync(() => ctx.trackRecord.performance(1, null));
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  return {
    signals: SIGNALS,
    positions: SIGNALS * TRADERS * LEGS,
    generate_ms: generateMs,
    before_results_stored: beforeResults,
    settle_all_signals: { settled, ms: settleMs },
    after_results_stored: afterResults,
    http_get_track_record: {
      cold_ms: httpCold.ms,
      body_bytes: httpCold.bytes,
      warm_ms: httpWarm,
      after_one_fire_changed_ms: httpAfterChange,
      days_30_first_ms: http30Cold.ms,
    },
    trader_performance: { closed: perf.closed, cold_ms: perfColdMs, warm_ms: perfWarmMs },
  };
}
