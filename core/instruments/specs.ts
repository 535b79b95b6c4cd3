import type { InstrumentSpec } from "../types.ts";

/**
 * Built-in symbol specifications, used when a user's terminal has not reported the broker's own.
 * Figures are the common retail-broker conventions (5/3-digit FX quotes, 100 000-unit lots,
 * 100 oz gold, 5 000 oz silver, 1-unit index CFDs). Tick values here are in the QUOTE currency
 * (tick size × contract size); a terminal reports them in the account currency instead.
 */

const FX_CURRENCIES = ["EUR", "GBP", "AUD", "NZD", "USD", "CAD", "CHF", "JPY"] as const;

/** Market-standard ordering: a pair is quoted as BASE/QUOTE with the higher-priority currency first. */
const PRIORITY: Record<string, number> = { EUR: 0, GBP: 1, AUD: 2, NZD: 3, USD: 4, CAD: 5, CHF: 6, JPY: 7 };

function fxSpec(base: string, quote: string): InstrumentSpec {
  const jpy = quote === "JPY";
  const tickSize = jpy ? 0.001 : 0.00001;
  const contractSize = 100_000;
  return {
    symbol: `${base}${quote}`,
    pipSize: jpy ? 0.01 : 0.0001,
    contractSize,
    tickSize,
    tickValue: tickSize * contractSize,
    tickValueCurrency: quote,
    volumeMin: 0.01,
    volumeStep: 0.01,
    volumeMax: 100,
    quoteCurrency: quote,
    baseCurrency: base,
    digits: jpy ? 3 : 5,
  };
}

function cfdSpec(
  symbol: string,
  base: string,
  quote: string,
  o: {
    pipSize: number;
    contractSize: number;
    tickSize: number;
    digits: number;
    volumeMin: number;
    volumeStep: number;
    volumeMax: number;
  },
): InstrumentSpec {
  return {
    symbol,
    pipSize: o.pipSize,
    contractSize: o.contractSize,
    tickSize: o.tickSize,
    tickValue: o.tickSize * o.contractSize,
    tickValueCurrency: quote,
    volumeMin: o.volumeMin,
    volumeStep: o.volumeStep,
    volumeMax: o.volumeMax,
    quoteCurrency: quote,
    baseCurrency: base,
    digits: o.digits,
  };
}

function buildDefaults(): Map<string, InstrumentSpec> {
  const specs = new Map<string, InstrumentSpec>();
  for (const a of FX_CURRENCIES) {
    for (const b of FX_CURRENCIES) {
      if (a === b || (PRIORITY[a] ?? 0) > (PRIORITY[b] ?? 0)) continue;
      specs.set(`${a}${b}`, fxSpec(a, b));
    }
  }
  const metal = { volumeMin: 0.01, volumeStep: 0.01, volumeMax: 100 };
  specs.set(
    "XAUUSD",
    cfdSpec("XAUUSD", "XAU", "USD", { pipSize: 0.1, contractSize: 100, tickSize: 0.01, digits: 2, ...metal }),
  );
  specs.set(
    "XAGUSD",
    cfdSpec("XAGUSD", "XAG", "USD", { pipSize: 0.01, contractSize: 5000, tickSize: 0.001, digits: 3, ...metal }),
  );
  const index = {
    pipSize: 1,
    contractSize: 1,
    tickSize: 0.01,
    digits: 2,
    volumeMin: 0.1,
    volumeStep: 0.1,
    volumeMax: 500,
  };
  const indices: Array<[string, string]> = [
    ["US30", "USD"],
    ["US500", "USD"],
    ["NAS100", "USD"],
    ["US2000", "USD"],
    ["GER40", "EUR"],
    ["FRA40", "EUR"],
    ["EU50", "EUR"],
    ["UK100", "GBP"],
    ["JP225", "JPY"],
    ["AUS200", "AUD"],
  ];
  for (const [name, quote] of indices) specs.set(name, cfdSpec(name, name, quote, index));
  return specs;
}

export const DEFAULT_SPECS: ReadonlyMap<string, InstrumentSpec> = buildDefaults();
