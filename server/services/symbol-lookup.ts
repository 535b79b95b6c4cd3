import { canonicalSymbol, customSymbol } from "../../core/instruments/index.ts";
import type { SymbolLookup } from "../../core/signal.ts";
import type { Store } from "../../db/store.ts";

/**
 * core's validation asks synchronously for the digits of a symbol that is not built in; the store
 * answers asynchronously. This reads them first (one query, only for such a symbol) and answers
 * validation from that.
 */
export async function symbolLookup(store: Store, rawSymbol: unknown): Promise<SymbolLookup> {
  const custom = typeof rawSymbol === "string" && !canonicalSymbol(rawSymbol) ? customSymbol(rawSymbol) : null;
  const digits = custom ? await store.terminal.reportedDigits(custom) : null;
  return { reportedDigits: (symbol) => (symbol === custom ? digits : null) };
}
