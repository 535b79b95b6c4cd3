import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOOK_SECRET, startHarness } from "../support/harness.ts";

/**
 * The same request sent several times at once (a client's retries after a timeout, TradingView
 * delivering an alert twice) is one request: one row, the others answered with it, never a 500.
 * On PostgreSQL the copies run in concurrent transactions and each checks for the row before any
 * has written it.
 */
describe("idempotent requests sent at the same moment", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const hook = (payload: Record<string, unknown>) =>
    h.app.inject({ method: "POST", url: `/hooks/signal/${HOOK_SECRET}`, payload });
  const count = async (sql: string, params: unknown[]) =>
    Number((((await h.store.query(sql, params))[0] as { n: number | string }) ?? { n: 0 }).n);

  it("a signal update with one Idempotency-Key: one 201, the rest 200 with the same update", async () => {
    const signal = await h.createSignal();
    const send = () =>
      h.app.inject({
        method: "POST",
        url: `/api/signals/${signal.id}/updates`,
        headers: { ...h.admin, "idempotency-key": "race-1" },
        payload: { action: "move_sl", stop_loss: 1.0835 },
      });
    const answers = await Promise.all([send(), send(), send(), send()]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json().update.id)).size).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM trade_updates WHERE signal_id = ?", [signal.id])).toBe(1);
  });

  it("a webhook alert delivered several times at once, with or without idempotency_key: one signal", async () => {
    const alert = { ticker: "EURUSD", action: "buy", price: 1.085, sl: 1.083, tp1: 1.089, expiry: 60 };
    for (const payload of [alert, { ...alert, price: 1.0851, idempotency_key: "tv-race" }]) {
      const answers = await Promise.all([hook(payload), hook(payload), hook(payload), hook(payload)]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 201]);
      const ids = new Set(answers.map((a) => a.json().id as string));
      expect(ids.size).toBe(1);
      expect(
        await count("SELECT COUNT(*) AS n FROM signals WHERE source = 'webhook' AND entry = ?", [payload.price]),
      ).toBe(1);
    }
  });
});
