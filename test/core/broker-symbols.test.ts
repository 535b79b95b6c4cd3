import { describe, expect, it } from "vitest";
import { canonicalForBroker, mapBrokerSymbol } from "../../core/broker-symbols.ts";
import { canonicalSymbol } from "../../core/instruments/index.ts";

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
    expect(canonicalForBroker("BTCUSD")).toBe("BTCUSD");
    expect(canonicalForBroker("BTCUSD.m")).toBe("BTCUSD");
    expect(canonicalForBroker("#XTIUSD")).toBe("XTIUSD");
    expect(canonicalForBroker("US_OIL")).toBe("US_OIL");
    expect(canonicalForBroker("??")).toBeNull();
  });
});

describe("canonicalSymbol", () => {
  it("strips broker suffixes and prefixes as the mapping rules do", () => {
    expect(canonicalSymbol("EURUSD.m")).toBe("EURUSD");
    expect(canonicalSymbol("EURUSDm")).toBe("EURUSD");
    expect(canonicalSymbol("#EURUSD")).toBe("EURUSD");
    expect(canonicalSymbol("EURUSD_i")).toBe("EURUSD");
    expect(canonicalSymbol("XAUUSD.pro")).toBe("XAUUSD");
    expect(canonicalSymbol("GOLD.m")).toBe("XAUUSD");
    expect(canonicalSymbol("OANDA:EUR/USD")).toBe("EURUSD");
    expect(canonicalSymbol("EURUSDXYZQ")).toBeNull();
    expect(canonicalSymbol("BTCUSD")).toBeNull();
  });
});
