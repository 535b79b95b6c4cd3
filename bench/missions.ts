import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMissionBuilder } from "../core/mission.ts";
import type { Overlay, Signal } from "../core/types.ts";
import { openDb } from "../db/index.ts";
import { createStore } from "../db/store.ts";
import { tempDir } from "../test/support/tmp.ts";

const USERS = 5_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * 5,000 personalised missions for one signal, computed (Sortie) versus the seeds' old method
 * (one personalised JSON file written per user, then read back), in the same run; plus bytes
 * stored per signal and per user overlay in SQLite.
 */
export async function benchMissions() {
  const nowMs = Date.parse("2026-11-21T12:00:00Z");
  const signal: Signal = {
    id: "s_bench",
    symbol: "EURUSD",
    side: "BUY",
    entry: 1.085,
    stop_loss: 1.083,
    take_profit: [1.087, 1.089],
    expires_at: new Date(nowMs + 3600_000).toISOString(),
    confidence: 89.5,
    shield_score: 8.9,
    shield_notes: "Institutional accumulation detected",
    pattern: "LIQUIDITY_SWEEP_REVERSAL",
    session: "LONDON",
    min_tier: "NIBBLER",
    status: "active",
    created_at: new Date(nowMs).toISOString(),
    cancelled_at: null,
    source: "bench",
  };
  const overlays: Overlay[] = Array.from({ length: USERS }, (_, i) => ({
    id: i + 1,
    tier: (["NIBBLER", "FANG", "COMMANDER", "APEX"] as const)[i % 4]!,
    balance: 1_000 + i * 37,
    equity: 1_000 + i * 37,
    currency: "USD",
    risk_percent: 0.5 + (i % 20) / 10,
  }));
  const bridge = { linked: true, lastSeenMs: nowMs, tradeAllowed: true };
  const builder = createMissionBuilder<null>(signal, nowMs, 30_000);
  const build = (o: Overlay) =>
    builder({ overlay: o, terminalSpec: null, rates: {}, fire: null, fireCount: 0, firesToday: 0, bridge });

  for (let i = 0; i < 3; i++) for (const o of overlays) build(o); // warm-up (JIT)
  const computeMs: number[] = [];
  for (let run = 0; run < 15; run++) {
    const t0 = performance.now();
    for (const o of overlays) build(o);
    computeMs.push(performance.now() - t0);
  }

  const tmp = tempDir("sortie-bench-");
  const filesMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const dir = join(tmp.dir, `run${run}`);
    mkdirSync(dir);
    const t0 = performance.now();
    for (const o of overlays) writeFileSync(join(dir, `${o.id}.json`), JSON.stringify(build(o)));
    for (const o of overlays) JSON.parse(readFileSync(join(dir, `${o.id}.json`), "utf8"));
    filesMs.push(performance.now() - t0);
    rmSync(dir, { recursive: true });
  }

  // Bytes stored: the signal row and a typical overlay row, as SQLite stores them (record size).
  const sqlite = openDb(join(tmp.dir, "size.db"));
  const store = createStore(sqlite);
  const { id: _id, status: _s, created_at: _c, cancelled_at: _x, source: _src, ...input } = signal;
  await store.signals.insertSignal(input, {
    id: signal.id,
    createdAt: signal.created_at,
    createdMs: nowMs,
    source: "api",
    createdBy: "admin-token",
    idempotencyKey: null,
    bodyHash: null,
  });
  await store.users.ensureUser({ id: 1, first_name: "Ada", username: "ada" }, signal.created_at);
  await store.terminal.recordHeartbeat(
    1,
    { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true },
    [],
    [],
    nowMs,
  );
  const rowBytes = (table: string, where: string) => {
    const cols = (sqlite.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map(
      (c) => `coalesce(length(CAST(${c.name} AS BLOB)), 0)`,
    );
    return (sqlite.prepare(`SELECT ${cols.join(" + ")} AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
  };
  const signalBytes = rowBytes("signals", "id = 's_bench'");
  const overlayBytes = rowBytes("users", "id = 1");
  sqlite.close();
  tmp.cleanup();

  const compute = median(computeMs);
  const files = median(filesMs);
  return {
    users: USERS,
    compute_ms: Math.round(compute * 100) / 100,
    files_ms: Math.round(files * 10) / 10,
    speedup: Math.round(files / compute),
    target_ms: 10,
    signal_bytes: signalBytes,
    overlay_bytes_per_user: overlayBytes,
    per_user_bytes_written_at_signal_creation: 0,
  };
}
