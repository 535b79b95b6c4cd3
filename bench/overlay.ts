import type { SqliteStore } from "../db/store.ts";
import { startHarness } from "../test/support/harness.ts";
import { round } from "./support.ts";

/**
 * The mission overlay read (`findMissionOverlay`, one statement; run on every mission cache miss
 * and every first tap) with `traders` linked traders who all report the signal's symbol, with
 * migration 0010's (user_id, canonical) index and, in the same run, without it (0005's
 * canonical-only index, which SQLite's planner chose and which scanned every trader's row).
 */
export async function benchOverlay(opts: { traders?: number; reads?: number } = {}) {
  const traders = opts.traders ?? Number(process.env.OVERLAY_TRADERS ?? 5_000);
  const reads = opts.reads ?? 2_000;
  const h = await startHarness();
  try {
    const signal = await h.createSignal();
    const account = { login: 1, server: "Demo", currency: "USD", balance: 10_000, equity: 10_000, trade_allowed: true };
    const spec = {
      name: "EURUSD",
      tick_size: 0.00001,
      tick_value: 1,
      volume_min: 0.01,
      volume_step: 0.01,
      volume_max: 100,
      contract_size: 100_000,
      digits: 5,
    };
    const price = { symbol: "EURUSD", bid: 1.085, ask: 1.0852 };
    await h.store.transaction(async () => {
      for (let i = 0; i < traders; i++) {
        await h.store.users.ensureUser({ id: 300_000 + i, first_name: "Bench" }, new Date().toISOString());
        await h.store.terminal.recordHeartbeat(300_000 + i, account, [spec], [price], Date.now());
      }
    });
    const perRead = async () => {
      const t0 = performance.now();
      for (let i = 0; i < reads; i++) {
        await h.store.users.findMissionOverlay(300_000 + (i % traders), signal.id, "EURUSD", 0);
      }
      return round(((performance.now() - t0) * 1000) / reads, 1);
    };
    const withIndex = await perRead();
    if (h.store.engine !== "sqlite") return { traders, reads, us_per_read: withIndex };
    (h.store as SqliteStore).sqlite.exec("DROP INDEX terminal_symbols_by_user_canonical");
    const without = await perRead();
    return {
      traders,
      reads,
      us_per_read_with_0010_index: withIndex,
      us_per_read_with_0005_index_only: without,
      speedup: round(without / withIndex, 1),
    };
  } finally {
    await h.close();
  }
}
