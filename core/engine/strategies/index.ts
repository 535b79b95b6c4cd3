import type { Strategy } from "../strategy.ts";
import { createLiquiditySweep } from "./liquidity-sweep.ts";
import { createTrendPullback } from "./trend-pullback.ts";

/** Every strategy shipped, by name: a factory taking parameter overrides. */
export const STRATEGIES: Readonly<Record<string, (params?: Record<string, unknown>) => Strategy>> = {
  "liquidity-sweep": (params) => createLiquiditySweep(params),
  "trend-pullback": (params) => createTrendPullback(params),
};

export { createLiquiditySweep, LIQUIDITY_SWEEP_DEFAULTS, type LiquiditySweepParams } from "./liquidity-sweep.ts";
export { createTrendPullback, TREND_PULLBACK_DEFAULTS, type TrendPullbackParams } from "./trend-pullback.ts";
