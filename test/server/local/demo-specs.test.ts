import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TRADERS } from "../../../server/local/demo.ts";
import { waitFor } from "../../support/wait.ts";
import { type LocalWorld, startLocalWorld } from "./support.ts";

const BEN = DEMO_TRADERS.find((t) => t.first_name === "Ben")!; // FANG, $25,000, 1.5 %

describe("local mode's demo terminals report their specs as MT5 would", () => {
  let world: LocalWorld;
  beforeAll(async () => {
    world = await startLocalWorld();
  });
  afterAll(() => world?.close());

  it("USDJPY's tick value follows the price (was: fixed at its value at 150.00)", async () => {
    const { harness } = world;
    world.feed.set!("USDJPY", 151.99, 152.01);
    // The terminal's next heartbeat (every 5 s) carries the tick value at 152.00: 100 JPY = $0.65789.
    await waitFor(
      async () => {
        const rows = await harness.store.query(
          "SELECT tick_value FROM terminal_symbols WHERE user_id = ? AND name = ?",
          [BEN.id, "USDJPY"],
        );
        const tickValue = (rows[0] as { tick_value: number } | undefined)?.tick_value ?? 0;
        return Math.abs(tickValue - 100 / 152) < 1e-9;
      },
      15_000,
      "a heartbeat with USDJPY's tick value at 152",
    );
    // 1.5 % of $25,000 = $375 over a 15-pip stop; a pip is 1000 / 152 = $6.5789 a lot: 3.80 lots
    // (at the old $6.6667 it was 3.75).
    const signal = await harness.createSignal({
      symbol: "USDJPY",
      side: "BUY",
      entry: 152,
      stop_loss: 151.85,
      take_profit: [152.3],
    });
    const res = await fetch(`${harness.url}/api/missions/${signal.id}`, {
      headers: { authorization: harness.tma(BEN) },
    });
    const mission = (await res.json()) as { position: { lots: number; pip_value: number; spec_source: string } };
    expect(mission.position).toMatchObject({ lots: 3.8, pip_value: 6.5789, spec_source: "terminal" });
  });
});
