import { canonicalSymbol, customSymbol, isAffixedForm, SYMBOL_ALIASES } from "./instruments/index.ts";

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
    const affixed = reported.filter((r) => isAffixedForm(r.toUpperCase(), name)).sort((a, b) => a.length - b.length);
    if (affixed[0]) return affixed[0];
  }
  return null;
}

/**
 * The Sortie symbol a broker's name stands for: the built-in instrument (`EURUSD.m` → `EURUSD`,
 * `GOLD` → `XAUUSD`), else Sortie's name for a symbol that is not built in (`BTCUSD.m` → `BTCUSD`),
 * so a signal on any symbol a terminal reported finds that terminal's spec. Null for a name that
 * cannot be a symbol.
 */
export function canonicalForBroker(name: string): string | null {
  return canonicalSymbol(name) ?? customSymbol(name);
}
