import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPaperFleet } from "../test/hardening/support/paper-fleet.ts";
import { startHarness } from "../test/support/harness.ts";
import { round } from "./support.ts";

/**
 * An admin update applied to 5,000 open positions: 1,000 traders each filled on a 5-take-profit
 * signal, their paper terminals (protocol 1.1, in two processes apart from the server, HTTP
 * long-poll on loopback). Timed from the admin's `POST /api/signals/:id/updates` to the last terminal's
 * result recorded. Target ≤ 3 s. Terminal state files live on tmpfs when there is one: each real
 * terminal has its own disk, while here 1,000 of them would queue their fsyncs on one.
 */
export async function benchUpdates(traders = Number(process.env.BENCH_UPDATES_TRADERS ?? 1000)) {
  const h = await startHarness({ listen: true, checkpointer: true });
  const stateDir = mkdtempSync(join(process.platform === "linux" ? "/dev/shm" : tmpdir(), "sortie-bench-paper-"));
  const fleets: Array<Awaited<ReturnType<typeof startPaperFleet>>> = [];
  try {
    const ids = Array.from({ length: traders }, (_, i) => 900_000 + i);
    const tokens: string[] = [];
    for (const id of ids) tokens.push(await h.linkBridge(id));
    // Two terminal processes (one per core): a terminal's work is its own machine's in real life.
    const halves = [ids.slice(0, traders / 2), ids.slice(traders / 2)];
    for (const half of halves) {
      fleets.push(
        await startPaperFleet({
          baseUrl: h.url,
          dir: h.dir,
          stateDir,
          heartbeatMs: 5_000,
          stopsCheckMs: 5_000,
          terminals: half.map((id) => {
            const i = ids.indexOf(id);
            return { id, token: tokens[i]!, ask: Number((1.0849 + (i % 10) * 0.00002).toFixed(5)) };
          }),
        }),
      );
    }
    const online = () =>
      (h.sqlite.prepare("SELECT COUNT(*) AS n FROM users WHERE bridge_protocol = '1.1'").get() as { n: number }).n;
    while (online() < traders) await new Promise((r) => setTimeout(r, 100));

    const signal = await h.createSignal({ take_profit: [1.089, 1.091, 1.093, 1.095, 1.097] });
    // Set-up, not timed: a terminal the loaded machine let go stale is fired again a moment later.
    let left = ids;
    for (let attempt = 0; left.length > 0; attempt++) {
      const refused: number[] = [];
      for (let i = 0; i < left.length; i += 50) {
        const batch = left.slice(i, i + 50);
        const answers = await Promise.all(batch.map((id) => h.fire(id, signal.id)));
        answers.forEach((r, j) => {
          if (r.statusCode === 503 && attempt < 20) refused.push(batch[j]!);
          else if (r.statusCode !== 202 && r.statusCode !== 200)
            throw new Error(`fire answered ${r.statusCode} ${r.body}`);
        });
      }
      left = refused;
      if (left.length > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    const filled = () =>
      (h.sqlite.prepare("SELECT COUNT(*) AS n FROM bridge_commands WHERE state = 'filled'").get() as { n: number }).n;
    const positions = traders * 5;
    while (filled() < positions) await new Promise((r) => setTimeout(r, 100));
    for (const fleet of fleets) await fleet.setPrice(1.087, 1.0871); // in profit: a stop at each fill is valid

    const t0 = performance.now();
    const res = await fetch(`${h.url}/api/signals/${signal.id}/updates`, {
      method: "POST",
      headers: { ...h.admin, "content-type": "application/json" },
      body: JSON.stringify({ action: "breakeven" }),
    });
    const answeredMs = performance.now() - t0;
    const { update } = (await res.json()) as { update: { id: string; positions: number } };
    if (update.positions !== positions) throw new Error(`update reached ${update.positions} positions`);
    let firstMs: number | null = null;
    for (;;) {
      const progress = await h.store.updates.progress(update.id);
      if (firstMs === null && progress.applied > 0) firstMs = performance.now() - t0;
      if (progress.applied + progress.rejected + progress.failed >= positions) {
        if (progress.applied !== positions) throw new Error(`not all applied: ${JSON.stringify(progress)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const lastMs = performance.now() - t0;
    return {
      traders,
      positions,
      admin_request_answered_ms: round(answeredMs, 1),
      first_result_ms: round(firstMs ?? lastMs, 1),
      last_result_ms: round(lastMs, 1),
      target_ms: 3000,
    };
  } finally {
    for (const fleet of fleets) await fleet.stop();
    await h.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
