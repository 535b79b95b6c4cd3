import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_SPECS, resolveSpec } from "../../core/instruments/index.ts";
import { floorSteps, stepsToVolume } from "../../core/money.ts";
import { computePosition, splitLegs } from "../../core/sizing.ts";
import type { InstrumentSpec, Side } from "../../core/types.ts";

const spec = (symbol: string): InstrumentSpec => {
  const found = DEFAULT_SPECS.get(symbol);
  if (!found) throw new Error(symbol);
  return found;
};

function size(o: {
  symbol: string;
  side?: Side;
  entry: number;
  stop: number;
  tp?: number[];
  balance?: number;
  risk?: number;
  rates?: Record<string, number>;
  currency?: string;
}) {
  const side = o.side ?? (o.stop < o.entry ? "BUY" : "SELL");
  return computePosition({
    side,
    entry: o.entry,
    stopLoss: o.stop,
    takeProfits: o.tp ?? [side === "BUY" ? o.entry + (o.entry - o.stop) * 2 : o.entry - (o.stop - o.entry) * 2],
    balance: o.balance ?? 10_000,
    accountCurrency: o.currency ?? "USD",
    riskPercent: o.risk ?? 1,
    spec: spec(o.symbol),
    rates: o.rates ?? {},
  });
}

describe("computePosition — hand-derived vectors", () => {
  it("EURUSD: $100 risk on a 20-pip stop is 0.50 lots", () => {
    // Tick 0.00001 worth $1 per lot (100 000 × 0.00001), so one pip (10 ticks) = $10/lot.
    // 20 pips × $10 = $200 per lot at risk; $100 / $200 = 0.50 lots.
    const p = size({ symbol: "EURUSD", entry: 1.085, stop: 1.083, tp: [1.089] });
    expect(p.lots).toBe(0.5);
    expect(p.stop_pips).toBe(20);
    expect(p.target_pips).toBe(40);
    expect(p.pip_value).toBe(10);
    expect(p.risk_amount).toBe(100);
    expect(p.reward_amount).toBe(200);
    expect(p.risk_reward).toBe(2);
  });

  it("USDJPY at 150.000: $100 risk on a 30-pip stop is 0.50 lots", () => {
    // Pip 0.01 × 100 000 = 1 000 JPY per lot = 1 000 / 150 = $6.667. 30 pips = $200 per lot.
    // $100 / $200 = 0.50 lots. The rate comes from the signal's own price (150.000).
    const p = size({ symbol: "USDJPY", entry: 150, stop: 149.7, rates: { USDJPY: 150 } });
    expect(p.lots).toBe(0.5);
    expect(p.stop_pips).toBe(30);
    expect(p.risk_amount).toBe(100);
  });

  it("GBPJPY sell with USDJPY at 150: $200 risk on a 50-pip stop is 0.60 lots", () => {
    // Pip value 1 000 JPY/lot = $6.667; 50 pips = $333.33 per lot; $200 / $333.33 = 0.60 lots.
    const p = size({ symbol: "GBPJPY", side: "SELL", entry: 190, stop: 190.5, risk: 2, rates: { USDJPY: 150 } });
    expect(p.lots).toBe(0.6);
    expect(p.stop_pips).toBe(50);
    expect(p.risk_amount).toBe(200);
  });

  it("XAUUSD 100-oz contract: $100 risk on a $10 stop is 0.10 lots", () => {
    // $10 move × 100 oz = $1 000 per lot; $100 / $1 000 = 0.10 lots. A pip is $0.10 → 100 pips.
    const p = size({ symbol: "XAUUSD", entry: 2000, stop: 1990 });
    expect(p.lots).toBe(0.1);
    expect(p.stop_pips).toBe(100);
    expect(p.pip_value).toBe(10);
  });

  it("EURGBP pip value with GBPUSD 1.25 is $12.50 per lot", () => {
    // 0.0001 × 100 000 = £10 per pip per lot; × 1.25 USD/GBP = $12.50.
    const p = size({ symbol: "EURGBP", entry: 0.87, stop: 0.868, rates: { GBPUSD: 1.25 } });
    expect(p.pip_value).toBe(12.5);
    // $100 / (20 pips × $12.50) = 0.40 lots.
    expect(p.lots).toBe(0.4);
  });

  it("below the broker minimum gives 0 lots with a reason", () => {
    // $1 risk (1% of $100) on 20 pips = $1 / $200 = 0.005 lots < 0.01 minimum.
    const p = size({ symbol: "EURUSD", entry: 1.085, stop: 1.083, balance: 100 });
    expect(p.lots).toBe(0);
    expect(p.risk_amount).toBe(0);
    expect(p.reason).toMatch(/minimum of 0.01 lots/);
  });

  it("0.29 stays 0.29: flooring in integer steps survives binary noise", () => {
    // 0.29 / 0.01 = 28.999999999999996 in binary floating point; naive floor gives 0.28.
    expect(stepsToVolume(floorSteps(0.29, 0.01), 0.01)).toBe(0.29);
    // $58 risk on 20 pips = 0.29 lots exactly.
    expect(size({ symbol: "EURUSD", entry: 1.085, stop: 1.083, balance: 5800 }).lots).toBe(0.29);
  });

  it("clamps to the maximum volume", () => {
    const p = size({ symbol: "EURUSD", entry: 1.085, stop: 1.0849, balance: 100_000_000, risk: 10 });
    expect(p.lots).toBe(100);
  });

  it("says the balance is unknown when the terminal never reported it", () => {
    const p = computePosition({ ...base(), balance: null, accountCurrency: null });
    expect(p.lots).toBe(0);
    expect(p.reason).toMatch(/Balance unknown/);
  });

  it("uses the terminal's tick value (already in the account currency) when reported", () => {
    // Broker reports USDJPY tick value 0.6667 USD for tick 0.001: 30 pips = 300 ticks × 0.6667 = $200/lot.
    const resolved = resolveSpec(
      "USDJPY",
      {
        name: "USDJPY.m",
        tick_size: 0.001,
        tick_value: 2 / 3,
        volume_min: 0.01,
        volume_step: 0.01,
        volume_max: 50,
        contract_size: 100000,
        digits: 3,
      },
      "USD",
    );
    expect(resolved?.source).toBe("terminal");
    const p = computePosition({ ...base(), entry: 150, stopLoss: 149.7, takeProfits: [150.6], spec: resolved!.spec });
    expect(p.lots).toBe(0.5);
  });

  it("splits reward across take-profit legs on the volume step", () => {
    const p = size({ symbol: "EURUSD", entry: 1.085, stop: 1.083, tp: [1.087, 1.089, 1.091] });
    // 0.50 lots in 3 legs on 0.01 steps: 17 + 17 + 16 steps.
    expect(p.rewards.map((r) => r.lots)).toEqual([0.17, 0.17, 0.16]);
    // 0.17×20 pips×$10 + 0.17×40×$10 + 0.16×60×$10 = 34 + 68 + 96 = $198.
    expect(p.reward_amount).toBe(198);
  });
});

function base() {
  return {
    side: "BUY" as Side,
    entry: 1.085,
    stopLoss: 1.083,
    takeProfits: [1.089],
    balance: 10_000 as number | null,
    accountCurrency: "USD" as string | null,
    riskPercent: 1,
    spec: spec("EURUSD"),
    rates: {},
  };
}

describe("splitLegs", () => {
  it("drops legs that would fall below the minimum volume", () => {
    expect(splitLegs(0.01, 3, 0.01, 0.01)).toEqual([0.01]);
    expect(splitLegs(0.15, 2, 0.01, 0.1)).toEqual([0.15]);
    expect(splitLegs(0.2, 2, 0.1, 0.1)).toEqual([0.1, 0.1]);
  });
});

describe("computePosition — properties", () => {
  const symbols = [...DEFAULT_SPECS.keys()].filter((s) => s.endsWith("USD") || s.startsWith("USD") || s === "XAUUSD");
  it("lots is a multiple of the step, never above max, and money at risk never exceeds the budget", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...symbols),
        fc.double({ min: 10, max: 5_000_000, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        fc.boolean(),
        (symbol, balance, risk, stopTicks, buy) => {
          const s = spec(symbol);
          const entry = symbol.includes("JPY") ? 150 : symbol === "XAUUSD" ? 2000 : 1.2;
          const stop = buy ? entry - stopTicks * s.tickSize * 10 : entry + stopTicks * s.tickSize * 10;
          fc.pre(stop > 0);
          const p = computePosition({
            side: buy ? "BUY" : "SELL",
            entry,
            stopLoss: stop,
            takeProfits: [buy ? entry + (entry - stop) : entry - (stop - entry)],
            balance,
            accountCurrency: "USD",
            riskPercent: risk,
            spec: s,
            rates: { USDJPY: 150, USDCHF: 0.9, USDCAD: 1.35 },
          });
          const steps = p.lots / s.volumeStep;
          expect(Math.abs(steps - Math.round(steps))).toBeLessThan(1e-6);
          expect(p.lots).toBeLessThanOrEqual(s.volumeMax);
          if (p.lots > 0) expect(p.lots).toBeGreaterThanOrEqual(s.volumeMin);
          // risk_amount is rounded to cents for display; allow that half-cent.
          expect(p.risk_amount).toBeLessThanOrEqual((balance * risk) / 100 + 0.005);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
