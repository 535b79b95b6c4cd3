import { DEFAULT_SPECS } from "./specs.ts";

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
