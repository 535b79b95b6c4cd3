/** The signal engine (issue 15), pure: ticks → candles → strategies → deduplicated drafts. */
export * from "./aggregator.ts";
export * from "./backtest/index.ts";
export * from "./candles.ts";
export * from "./dedup.ts";
export * from "./draft-signal.ts";
export * from "./engine.ts";
export * from "./evaluate.ts";
export * from "./health.ts";
export * from "./indicators.ts";
export * from "./levels.ts";
export * from "./price.ts";
export * from "./session.ts";
export * from "./strategies/index.ts";
export * from "./strategy.ts";
