import type { InstrumentSpec } from "../types.ts";
import { DEFAULT_SPECS } from "./specs.ts";

/** Default resolutions made once (sizing thousands of missions must not allocate them each time). */
const DEFAULT_RESOLVED: ReadonlyMap<string, { spec: InstrumentSpec; source: "default" }> = new Map(
  [...DEFAULT_SPECS].map(([name, spec]) => [name, { spec, source: "default" as const }]),
);

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
