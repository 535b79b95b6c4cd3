import { describe, expect, it } from "vitest";
import { canonicalForBroker, mapBrokerSymbol } from "../../core/broker-symbols.ts";

describe("broker symbol mapping", () => {
  it("maps Sortie's name to the broker's: exact, then prefix/suffix forms, then aliases", () => {
    expect(mapBrokerSymbol("EURUSD", ["EURUSD.m", "EURUSD"])).toBe("EURUSD");
    expect(mapBrokerSymbol("EURUSD", ["GBPUSD.m", "EURUSD.m"])).toBe("EURUSD.m");
    expect(mapBrokerSymbol("EURUSD", ["EURUSDm"])).toBe("EURUSDm");
    expect(mapBrokerSymbol("EURUSD", ["#EURUSD"])).toBe("#EURUSD");
    expect(mapBrokerSymbol("XAUUSD", ["GOLD"])).toBe("GOLD");
    expect(mapBrokerSymbol("XAUUSD", ["GOLD.pro"])).toBe("GOLD.pro");
    expect(mapBrokerSymbol("EURUSD", ["EURGBP", "USDJPY"])).toBeNull();
    // The order decides when a terminal reports several names for one instrument.
    expect(mapBrokerSymbol("XAUUSD", ["GOLD", "XAUUSD"])).toBe("XAUUSD");
    expect(mapBrokerSymbol("XAUUSD", ["GOLD", "XAUUSD.m"])).toBe("XAUUSD.m");
    expect(mapBrokerSymbol("XAUUSD", ["XAU", "XAUUSD.m"])).toBe("XAUUSD.m");
    expect(mapBrokerSymbol("XAUUSD", ["GOLD.pro", "GOLD"])).toBe("GOLD");
  });

  it("knows which Sortie symbol a broker's name stands for", () => {
    expect(canonicalForBroker("EURUSD.m")).toBe("EURUSD");
    expect(canonicalForBroker("GOLD")).toBe("XAUUSD");
    expect(canonicalForBroker("USDJPYm")).toBe("USDJPY");
    expect(canonicalForBroker("BTCUSD")).toBeNull();
  });
});
