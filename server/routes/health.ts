import { Type } from "typebox";
import type { App, RouteDeps } from "./types.ts";

const startedMs = Date.now();

/**
 * `GET /health`: liveness with database, bot and bridge figures. A database that cannot answer
 * makes it 503 `UNAVAILABLE` (in the error shape), so a load balancer or uptime check notices.
 */
export function healthRoutes(app: App, { ctx, sse, extras }: RouteDeps): void {
  const figures = ctx.store.metrics;
  const staleMs = ctx.config.heartbeatStaleS * 1000;

  app.get(
    "/health",
    {
      schema: {
        tags: ["system"],
        response: {
          200: Type.Object({ status: Type.String() }, { additionalProperties: true }),
          503: Type.Ref("Error"),
        },
      },
    },
    async (req, reply) => {
      const started = performance.now();
      const nowMs = ctx.clock.now();
      let bridge: Record<string, number>;
      try {
        await ctx.store.ping();
        bridge = {
          commands_pending: await ctx.store.commands.countPending(),
          fires_unfinished: await ctx.store.fires.countUnfinishedFires(),
          terminals_linked: await figures.countLinkedTerminals(),
          terminals_online: await figures.countOnlineTerminals(nowMs - staleMs),
        };
      } catch (err) {
        req.log.error({ err }, "health: database check failed");
        return reply
          .status(503)
          .send({ error: { code: "UNAVAILABLE", message: "The database is not answering; see the server log" } });
      }
      return {
        status: "ok",
        mode: ctx.config.localMode ? "local" : "telegram",
        time: new Date(nowMs).toISOString(),
        uptime_s: Math.round((Date.now() - startedMs) / 1000),
        db: { engine: ctx.store.engine, ok: true, latency_ms: Math.round((performance.now() - started) * 1000) / 1000 },
        bridge,
        events: sse.stats(),
        // The bot reports itself through `extras.health` (main.ts); an app built without one says so.
        bot: { mode: "none" },
        ...(extras.health?.() ?? {}),
      };
    },
  );
}
