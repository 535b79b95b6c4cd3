/** Track record maths (issue 17), pure: per-signal R, aggregates, presentation. */
export * from "./aggregate.ts";
export * from "./drawdown.ts";
export * from "./outcomes.ts";
export * from "./present.ts";
export * from "./result.ts";
export * from "./summary.ts";
