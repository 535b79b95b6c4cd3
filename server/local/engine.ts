import type { Quote } from "../../bridge/paper/feed.ts";
import { createLiquiditySweep, createTrendPullback } from "../../core/engine/index.ts";
import type { Clock } from "../clock.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../errors.ts";
import type { App } from "../routes/types.ts";
import type { EngineServiceOptions } from "../services/engine/index.ts";
import { DEMO_PRICES } from "./demo.ts";

/**
 * How much faster than the wall clock the engine watches local mode's simulated market: one M1
 * candle every 5 s, so a newcomer sees drafts within minutes rather than hours. Only the engine's
 * market time runs fast; drafts, signals and their expiries use the real clock.
 */
export const LOCAL_MARKET_SPEEDUP = 12;

/** A clock running `speedup` times faster than `base` from the moment it is made. */
export function fastClock(base: Clock, speedup: number): Clock {
  const startMs = base.now();
  return { now: () => startMs + (base.now() - startMs) * speedup };
}

/**
 * The engine in local mode: both shipped strategies on M1 (the sweep with a 20-candle lookback,
 * the pullback asking for a trend of 1.5 ATR: a random walk "trends" often), drafts waiting
 * 10 min, signals living 15 min. Measured over 20 seeded walks (30 real minutes each): the first
 * draft after 80–505 s (median 180 s), then about 40 drafts per 30 minutes.
 */
export function localEngineOptions(clock: Clock): EngineServiceOptions {
  return {
    strategies: [
      createLiquiditySweep({ timeframe: 1, lookback: 20, stopBufferTicks: 5 }),
      createTrendPullback({ timeframe: 1, minTrendAtr: 1.5 }),
    ],
    marketClock: fastClock(clock, LOCAL_MARKET_SPEEDUP),
    draftTtlMs: 10 * 60_000,
    signalTtlMin: 15,
  };
}

/** Feeds the simulated market's quotes to the engine once a second; returns the stop function. */
export function feedLocalEngine(ctx: AppContext, quote: (symbol: string) => Quote | undefined): () => void {
  const timer = setInterval(() => {
    const prices = Object.keys(DEMO_PRICES).flatMap((symbol) => {
      const q = quote(symbol);
      return q ? [{ symbol, bid: q.bid, ask: q.ask }] : [];
    });
    void ctx.engine.feed(prices); // its store work is queued, failures logged
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `/local`'s Approve and Reject buttons (plain HTML forms: local mode has no Telegram, and the
 * page signs nobody in). Local mode only; answers a redirect back to the page.
 */
export function localDraftRoutes(app: App, ctx: AppContext): void {
  // Registered in a scope of its own (its content-type parser stays there); Fastify loads it in order.
  app.register(async (scope) => {
    // The forms post an empty urlencoded body: accepted here only, ignored.
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, _body, done) =>
      done(null, {}),
    );
    scope.post<{ Params: { id: string; action: string } }>(
      "/local/drafts/:id/:action",
      { schema: { hide: true } },
      async (req, reply) => {
        const { id, action } = req.params;
        if (action !== "approve" && action !== "reject") throw new ApiError("NOT_FOUND", "Unknown action");
        const drafts = ctx.engine.drafts;
        if (action === "approve") await drafts.approve(id, "local");
        else await drafts.reject(id, "local");
        return reply.redirect("/local", 303);
      },
    );
  });
}
