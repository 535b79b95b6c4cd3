import { startWorld, TRADER } from "../test/support/world.ts";
import { percentile, round } from "./support.ts";

/**
 * The full loop on loopback, timed: create (admin API) → alert posted (Bot API fake) → mission
 * opened → FIRE → the paper terminal fills → the mission shows filled. Target ≤ 1 s.
 */
export async function benchLoop(runs = 20) {
  const w = await startWorld();
  const { h, telegram } = w;
  try {
    await h.store.users.setTier(TRADER, "APEX", new Date().toISOString());
    h.ctx.hub.emit("user.updated", { user_id: TRADER });
    const headers = { authorization: h.tma(TRADER), "content-type": "application/json" };
    const totals: number[] = [];
    const alerts: number[] = [];
    for (let i = 0; i < runs; i++) {
      while (!(await h.ctx.bridge.isOnline(TRADER))) await new Promise((r) => setTimeout(r, 20));
      const t0 = performance.now();
      const created = await fetch(`${h.url}/api/signals`, {
        method: "POST",
        headers: { ...h.admin, "content-type": "application/json" },
        body: JSON.stringify({
          symbol: "EURUSD",
          side: "BUY",
          entry: 1.085,
          stop_loss: 1.083,
          take_profit: [1.089],
          expires_in_min: 30,
        }),
      });
      const signal = (await created.json()) as { id: string };
      while (
        !telegram
          .callsOf("sendMessage")
          .some(
            (c) =>
              String(c.payload.text).includes("EURUSD") && JSON.stringify(c.payload.reply_markup).includes(signal.id),
          )
      ) {
        await new Promise((r) => setTimeout(r, 1));
      }
      alerts.push(performance.now() - t0);
      await (await fetch(`${h.url}/api/missions/${signal.id}`, { headers })).json();
      const fired = await fetch(`${h.url}/api/fire`, {
        method: "POST",
        headers,
        body: JSON.stringify({ signal_id: signal.id }),
      });
      if (fired.status !== 202) throw new Error(`fire answered ${fired.status}`);
      for (;;) {
        const m = (await (await fetch(`${h.url}/api/missions/${signal.id}`, { headers })).json()) as {
          fire: { state: string } | null;
        };
        if (m.fire?.state === "filled") break;
        await new Promise((r) => setTimeout(r, 2));
      }
      totals.push(performance.now() - t0);
    }
    return {
      runs,
      create_to_alert_ms: { p50: round(percentile(alerts, 50), 1), max: round(Math.max(...alerts), 1) },
      create_to_fill_shown_ms: {
        p50: round(percentile(totals, 50), 1),
        p99: round(percentile(totals, 99), 1),
        max: round(Math.max(...totals), 1),
      },
      target_ms: 1000,
    };
  } finally {
    await w.close();
  }
}
