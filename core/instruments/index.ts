/**
 * Instruments: the built-in spec table (specs.ts), symbol names as people and brokers write them
 * (symbols.ts), and the spec sizing uses for a terminal (resolve.ts).
 */
export { resolveSpec, type TerminalSymbolSpec } from "./resolve.ts";
export { DEFAULT_SPECS } from "./specs.ts";
export { canonicalSymbol, customSymbol, isAffixedForm, SYMBOL_ALIASES } from "./symbols.ts";
