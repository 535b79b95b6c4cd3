import { describe, expect, it } from "vitest";
import { countdown, lots, money, pnl, priceDigits } from "../../webapp/src/format.ts";
import type { Signal } from "../../webapp/src/types.ts";

const signal = (symbol: string, entry: number, stop: number, tp: number): Signal =>
  ({ symbol, entry, stop_loss: stop, take_profit: [tp] }) as Signal;

describe("format", () => {
  it("shows lots with two decimals and money with two decimals and the currency", () => {
    expect(lots(0.5)).toBe("0.50");
    expect(money(1234.5, "USD")).toBe("$1,234.50");
    expect(money(10, "EUR")).toBe("€10.00");
    expect(money(null, "USD")).toBe("—");
    expect(pnl(-3, "USD")).toBe("−$3.00");
  });

  it("uses the symbol's quote digits", () => {
    expect(priceDigits(signal("EURUSD", 1.085, 1.083, 1.089))).toBe(5);
    expect(priceDigits(signal("USDJPY", 151.2, 150.9, 151.9))).toBe(3);
    expect(priceDigits(signal("XAUUSD", 2387.5, 2395, 2371.25))).toBe(2);
    expect(priceDigits(signal("US30", 39000, 38900, 39200), 1)).toBe(1);
  });

  it("counts down as mm:ss, then hours, then days", () => {
    expect(countdown(299)).toBe("04:59");
    expect(countdown(2 * 3600 + 5 * 60)).toBe("2h 05m");
    expect(countdown(86_400 + 4 * 3600)).toBe("1d 04h");
    expect(countdown(-5)).toBe("00:00");
  });
});
