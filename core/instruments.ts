import type { InstrumentSpec } from "./types.ts";

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

/** Default resolutions made once (sizing thousands of missions must not allocate them each time). */
const DEFAULT_RESOLVED: ReadonlyMap<string, { spec: InstrumentSpec; source: "default" }> = new Map(
  [...DEFAULT_SPECS].map(([name, spec]) => [name, { spec, source: "default" as const }]),
);

/** Other names brokers and TradingView use for the same instrument. Canonical name → aliases. */
export const SYMBOL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  XAUUSD: ["GOLD", "XAU"],
  XAGUSD: ["SILVER", "XAG"],
  US30: ["DJ30", "DJI", "WS30", "DOW", "USA30", "US30CASH"],
  US500: ["SPX500", "SP500", "SPX", "USA500", "US500CASH"],
  NAS100: ["USTEC", "NDX", "NQ100", "US100", "USA100", "NAS100CASH"],
  US2000: ["RUSSELL2000", "RTY"],
  GER40: ["DE40", "DAX", "DAX40", "GER30", "DE30"],
  FRA40: ["FR40", "CAC40", "CAC"],
  EU50: ["STOXX50", "EUSTX50", "SX5E"],
  UK100: ["FTSE", "FTSE100"],
  JP225: ["JPN225", "NIKKEI", "NI225"],
  AUS200: ["AU200", "ASX200"],
};

const ALIAS_TO_CANONICAL: ReadonlyMap<string, string> = new Map(
  Object.entries(SYMBOL_ALIASES).flatMap(([canonical, aliases]) => aliases.map((alias) => [alias, canonical] as const)),
);

/**
 * True when `candidate` is `name` with a broker affix: EURUSD.m, EURUSDm, EURUSD_i, EURUSD.pro
 * (suffix) or m.EURUSD, #EURUSD (prefix). The rest is short and never a letter run that would make
 * another instrument (EURUSDX is not EURUSD's suffix form). `candidate` is upper case.
 */
export function isAffixedForm(candidate: string, name: string): boolean {
  const at = candidate.indexOf(name);
  if (at === -1) return false;
  const prefix = candidate.slice(0, at);
  const suffix = candidate.slice(at + name.length);
  const affix = /^[^A-Z0-9]?[A-Z0-9]{0,4}$|^$/;
  if (prefix === "" && suffix === "") return true;
  if (prefix !== "" && suffix !== "") return false;
  const rest = prefix || suffix;
  if (!affix.test(rest)) return false;
  // A bare letter run glued to the name (EURUSDX) only counts when it is a known broker suffix style.
  return /[^A-Z]/.test(rest) || rest.length <= 2 || /^(PRO|ECN|RAW|STD|MICRO|MINI)$/.test(rest.replace(/[^A-Z]/g, ""));
}

/** Built-in names and their aliases, canonical first, for matching broker affix forms. */
const KNOWN_NAMES: ReadonlyArray<readonly [string, string]> = [
  ...[...DEFAULT_SPECS.keys()].map((name) => [name, name] as const),
  ...Object.entries(SYMBOL_ALIASES).flatMap(([canonical, aliases]) => aliases.map((a) => [a, canonical] as const)),
];

const canonicalCache = new Map<string, string | null>();

/**
 * Canonical Sortie name of a symbol as people, TradingView and brokers write it: `eurusd`,
 * `EUR/USD`, `OANDA:EURUSD`, `GOLD`, `EURUSD.m`, `#EURUSD` → `EURUSD`, …, `XAUUSD`, `EURUSD`.
 * Returns null when it is not a built-in instrument (see `customSymbol` for the others).
 */
export function canonicalSymbol(raw: string): string | null {
  const known = canonicalCache.get(raw);
  if (known !== undefined) return known;
  const afterExchange = raw.includes(":") ? raw.slice(raw.lastIndexOf(":") + 1) : raw;
  const upper = afterExchange.trim().toUpperCase();
  const cleaned = upper.replace(/[/\s_-]/g, "");
  let found: string | null = DEFAULT_SPECS.has(cleaned) ? cleaned : (ALIAS_TO_CANONICAL.get(cleaned) ?? null);
  if (!found) {
    // Broker forms: the shortest built-in name or alias the raw text is an affixed form of.
    let best = "";
    for (const [name, canonical] of KNOWN_NAMES) {
      if (name.length > best.length && (isAffixedForm(upper, name) || isAffixedForm(cleaned, name))) {
        best = name;
        found = canonical;
      }
    }
  }
  if (canonicalCache.size < 100_000) canonicalCache.set(raw, found);
  return found;
}

/**
 * Sortie's name for an instrument that is not built in (BTCUSD, XTIUSD, US_OIL): upper case,
 * exchange prefix and broker affixes (`#`, `.m`, `.pro`, `_i`) removed, so every terminal's form
 * of it meets the signal's. Null when the text cannot be a symbol name.
 */
export function customSymbol(raw: string): string | null {
  const afterExchange = raw.includes(":") ? raw.slice(raw.lastIndexOf(":") + 1) : raw;
  let name = afterExchange.trim().toUpperCase().replace(/[/\s]/g, "");
  name = name.replace(/^[^A-Z0-9]+/, "").replace(/\.[A-Z0-9]{1,4}$/, "");
  // A short `_i`/`-ecn` tail is a broker suffix only on a long name: US_OIL keeps its underscore.
  const tail = /[_-][A-Z0-9]{1,3}$/.exec(name);
  if (tail && tail.index >= 6) name = name.slice(0, tail.index);
  return /^[A-Z0-9][A-Z0-9_.-]{1,19}$/.test(name) ? name : null;
}

/** Symbol spec as reported by a terminal (protocol v1 heartbeat `symbols[]`). */
export interface TerminalSymbolSpec {
  name: string;
  tick_size: number;
  tick_value: number;
  volume_min: number;
  volume_step: number;
  volume_max: number;
  contract_size: number;
  digits: number;
}

/**
 * The spec used for sizing: the terminal's own when it reported one for this symbol (its tick
 * value is already in the account currency), else the built-in default (tick value in the quote
 * currency, converted by the sizing step).
 */
export function resolveSpec(
  canonical: string,
  terminal: TerminalSymbolSpec | null,
  accountCurrency: string | null,
): { spec: InstrumentSpec; source: "terminal" | "default" } | null {
  const base = DEFAULT_SPECS.get(canonical) ?? null;
  if (
    terminal &&
    accountCurrency &&
    terminal.tick_size > 0 &&
    terminal.tick_value > 0 &&
    terminal.volume_step > 0 &&
    terminal.volume_min > 0 &&
    terminal.volume_max > 0
  ) {
    const digits = Math.max(0, Math.trunc(terminal.digits));
    const pipSize = base?.pipSize ?? (digits === 3 || digits === 5 ? terminal.tick_size * 10 : terminal.tick_size);
    return {
      source: "terminal",
      spec: {
        symbol: canonical,
        pipSize,
        contractSize: terminal.contract_size,
        tickSize: terminal.tick_size,
        tickValue: terminal.tick_value,
        tickValueCurrency: accountCurrency,
        volumeMin: terminal.volume_min,
        volumeStep: terminal.volume_step,
        volumeMax: terminal.volume_max,
        quoteCurrency: base?.quoteCurrency ?? accountCurrency,
        baseCurrency: base?.baseCurrency ?? canonical,
        digits,
      },
    };
  }
  return base ? (DEFAULT_RESOLVED.get(canonical) ?? null) : null;
}
