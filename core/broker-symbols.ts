import { canonicalSymbol, DEFAULT_SPECS, SYMBOL_ALIASES } from "./instruments.ts";

function affixMatch(candidate: string, name: string): boolean {
  // EURUSD.m, EURUSDm, EURUSD_i, EURUSD.pro (suffix) or m.EURUSD, #EURUSD (prefix): the rest is short
  // and never a letter run that would make another instrument (EURUSDX is not EURUSD's suffix form).
  const upper = candidate.toUpperCase();
  const at = upper.indexOf(name);
  if (at === -1) return false;
  const prefix = upper.slice(0, at);
  const suffix = upper.slice(at + name.length);
  const affix = /^[^A-Z0-9]?[A-Z0-9]{0,4}$|^$/;
  if (prefix === "" && suffix === "") return true;
  if (prefix !== "" && suffix !== "") return false;
  const rest = prefix || suffix;
  if (!affix.test(rest)) return false;
  // A bare letter run glued to the name (EURUSDX) only counts when it is a known broker suffix style.
  return /[^A-Z]/.test(rest) || rest.length <= 2 || /^(PRO|ECN|RAW|STD|MICRO|MINI)$/.test(rest.replace(/[^A-Z]/g, ""));
}

/**
 * The broker's name for a Sortie symbol, from the names the user's terminal reported, in the
 * contract's order: exact, then prefix/suffix forms (`EURUSD.m`, `EURUSDm`, `#EURUSD`), then
 * aliases (`GOLD` for `XAUUSD`), exact before their own prefix/suffix forms. Within one step the
 * shortest name wins; null when the terminal reported nothing that fits.
 */
export function mapBrokerSymbol(canonical: string, reported: readonly string[]): string | null {
  for (const name of [canonical, ...(SYMBOL_ALIASES[canonical] ?? [])]) {
    const exact = reported.find((r) => r.toUpperCase() === name);
    if (exact) return exact;
    const affixed = reported.filter((r) => affixMatch(r, name)).sort((a, b) => a.length - b.length);
    if (affixed[0]) return affixed[0];
  }
  return null;
}

const brokerCanonical = new Map<string, string | null>();

/**
 * The Sortie symbol a broker's name stands for (`EURUSD.m` → `EURUSD`, `GOLD` → `XAUUSD`), or null.
 * Remembered per name: terminals report the same few hundred names every heartbeat.
 */
export function canonicalForBroker(name: string): string | null {
  const known = brokerCanonical.get(name);
  if (known !== undefined) return known;
  let found = canonicalSymbol(name);
  if (!found) {
    for (const canonical of DEFAULT_SPECS.keys()) {
      if (mapBrokerSymbol(canonical, [name])) {
        found = canonical;
        break;
      }
    }
  }
  if (brokerCanonical.size < 100_000) brokerCanonical.set(name, found);
  return found;
}
