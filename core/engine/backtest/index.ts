/** Backtest (issue 15), pure: CSV text in, trades, stats and an SVG out. The CLI does the files. */
export * from "./csv.ts";
export * from "./simulate.ts";
export * from "./stats.ts";
export * from "./svg.ts";
