/** Track record maths (issue 17), pure: per-signal R, aggregates, presentation, reports. */
export * from "./aggregate.ts";
export * from "./drawdown.ts";
export * from "./histogram.ts";
export * from "./outcomes.ts";
export * from "./periods.ts";
export * from "./present.ts";
export * from "./result.ts";
export * from "./signal-report.ts";
export * from "./summary.ts";
