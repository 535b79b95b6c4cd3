import { describe, expect, it } from "vitest";
import { openRisk } from "../../core/open-risk.ts";

// 1.00 lot BUY at 1.0850 with a 20-pip stop at 1.0830, sized to risk $200 ($10 a pip a lot).
const BUY = { side: "BUY" as const, lots: 1, riskAmount: 200 };
const leg = (volume: number, stop: number, fill = 1.085) => ({ volume, fill, stop, entry: 1.085, openedStop: 1.083 });

describe("openRisk: the money a fire still risks at its stops now", () => {
  it("is the sized risk while the stops are where they were opened", () => {
    expect(openRisk(BUY, [leg(0.5, 1.083), leg(0.5, 1.083)])).toBe(200);
  });

  it("drops with a stop moved up, and is 0 at breakeven or past it", () => {
    expect(openRisk(BUY, [leg(0.5, 1.084), leg(0.5, 1.084)])).toBe(100); // 10 pips × $10 × 1 lot
    expect(openRisk(BUY, [leg(0.5, 1.085), leg(0.5, 1.085)])).toBe(0);
    expect(openRisk(BUY, [leg(0.5, 1.0865), leg(0.5, 1.084)])).toBe(50); // the locked-in leg counts 0, not −75
  });

  it("counts only what is still open (a leg closed at its target is not listed)", () => {
    expect(openRisk(BUY, [leg(0.5, 1.083)])).toBe(100);
    expect(openRisk(BUY, [])).toBe(0);
  });

  it("measures from the fill: 2 pips of slippage against a BUY add 2 pips of risk", () => {
    expect(openRisk(BUY, [leg(1, 1.083, 1.0852)])).toBe(220);
  });

  it("mirrors for a SELL: a stop moved down lowers the risk", () => {
    const sell = { side: "SELL" as const, lots: 2, riskAmount: 400 };
    const short = (stop: number) => ({ volume: 2, fill: 1.085, stop, entry: 1.085, openedStop: 1.087 });
    expect(openRisk(sell, [short(1.087)])).toBe(400);
    expect(openRisk(sell, [short(1.086)])).toBe(200);
    expect(openRisk(sell, [short(1.084)])).toBe(0);
  });

  it("is null when the fire's sizing is unknown", () => {
    expect(openRisk({ ...BUY, riskAmount: null }, [leg(1, 1.083)])).toBeNull();
    expect(openRisk({ ...BUY, lots: 0 }, [leg(1, 1.083)])).toBeNull();
    expect(openRisk(BUY, [{ volume: 1, fill: 1.085, stop: 1.083, entry: 1.085, openedStop: 1.085 }])).toBeNull();
  });
});
