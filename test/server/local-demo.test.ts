import { describe, expect, it } from "vitest";
import { createDemoFeed, DEMO_PRICES, demoSignal } from "../../server/local/demo.ts";

const decimals = (x: number) => (String(x).split(".")[1] ?? "").length;

describe("local mode's demo market and signals", () => {
  it("quotes every symbol at its own digits (USDJPY at 3, EURUSD at 5), never float noise", () => {
    const feed = createDemoFeed(42);
    for (let i = 0; i < 200; i++) feed.step();
    for (const [symbol, max] of [
      ["USDJPY", 3],
      ["EURUSD", 5],
      ["XAUUSD", 2],
    ] as const) {
      const quote = feed.get(symbol)!;
      expect(decimals(quote.bid)).toBeLessThanOrEqual(max);
      expect(decimals(quote.ask)).toBeLessThanOrEqual(max);
    }
  });

  it("moves as an unbiased walk: as many symbols up as down over many seeds", () => {
    let up = 0;
    let down = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const feed = createDemoFeed(seed);
      for (let i = 0; i < 60; i++) feed.step();
      if (feed.get("EURUSD")!.bid > DEMO_PRICES.EURUSD!.bid) up++;
      else down++;
    }
    expect(up).toBeGreaterThan(70);
    expect(down).toBeGreaterThan(70);
  });

  it("puts the stop at 0.1 % of the price and targets at 0.8 and 1.2 stops, at the symbol's digits", () => {
    const quote = (symbol: string) => DEMO_PRICES[symbol];
    // n = 2 is USDJPY (the third demo symbol), a BUY at the ask 150.01: 0.1 % = 15 pips of 0.01.
    const jpy = demoSignal(2, quote, 0);
    expect(jpy).toMatchObject({ symbol: "USDJPY", side: "BUY", entry: 150.01, stop_loss: 149.86 });
    expect(jpy.take_profit).toEqual([150.13, 150.19]);
    // n = 1 is GBPUSD, a SELL at the bid 1.2699: 0.1 % = 13 pips.
    const gbp = demoSignal(1, quote, 0);
    expect(gbp).toMatchObject({ symbol: "GBPUSD", side: "SELL", entry: 1.2699, stop_loss: 1.2712 });
    expect(gbp.take_profit).toEqual([1.26886, 1.26834]);
    expect(Date.parse(gbp.expires_at)).toBe(3 * 60_000);
  });
});
