import { describe, expect, it } from "vitest";
import { storedLeg, takeProfitLeg } from "../../core/legs.ts";
import { changeFor, type OpenPosition, type TradeUpdateSpec } from "../../core/trade-update.ts";

const spec = (over: Partial<TradeUpdateSpec>): TradeUpdateSpec => ({
  action: "move_sl",
  stop_loss: 1.084,
  take_profit: null,
  leg: null,
  note: null,
  ...over,
});
const position = (leg: number): OpenPosition => ({ leg, fill_price: 1.0851, stop_loss: 1.083, take_profit: 1.089 });

describe("changeFor over several terminals' legs", () => {
  // Two terminals, two take-profits: stored legs 1, 2 (first terminal) and 101, 102 (second).
  const legs = [storedLeg(0, 1), storedLeg(0, 2), storedLeg(1, 1), storedLeg(1, 2)];

  it("numbers a stored leg by its take-profit", () => {
    expect(legs).toEqual([1, 2, 101, 102]);
    expect(legs.map(takeProfitLeg)).toEqual([1, 2, 1, 2]);
  });

  it("gives a leg's update to that take-profit's leg on every terminal", () => {
    const touched = (s: TradeUpdateSpec) => legs.filter((leg) => changeFor(s, position(leg)) !== null);
    expect(touched(spec({ action: "move_tp", leg: 1, take_profit: 1.088, stop_loss: null }))).toEqual([1, 101]);
    expect(touched(spec({ action: "close", leg: 2, stop_loss: null }))).toEqual([2, 102]);
    expect(touched(spec({ action: "move_sl" }))).toEqual(legs);
    // The automatic breakeven after TP1 leaves every terminal's first leg alone.
    expect(touched(spec({ action: "breakeven", stop_loss: null, from_leg: 2 }))).toEqual([2, 102]);
  });
});
