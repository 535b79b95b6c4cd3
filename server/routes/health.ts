import { Type } from "typebox";
import type { App, RouteDeps } from "./types.ts";

/** `GET /health`: liveness with database, bot and bridge figures. */
export function healthRoutes(app: App, { ctx, sse, extras }: RouteDeps): void {
  app.get(
    "/health",
    {
      schema: {
        tags: ["system"],
        response: { 200: Type.Object({ status: Type.String() }, { additionalProperties: true }) },
      },
    },
    async () => {
      const started = performance.now();
      ctx.store.sqlite.prepare("SELECT 1").get();
      return {
        status: "ok",
        mode: ctx.config.localMode ? "local" : "telegram",
        time: new Date(ctx.clock.now()).toISOString(),
        db: { ok: true, latency_ms: Math.round((performance.now() - started) * 1000) / 1000 },
        bridge: {
          commands_pending: ctx.store.commands.countPending(),
          fires_unfinished: ctx.store.fires.countUnfinishedFires(),
        },
        events: sse.stats(),
        ...(extras.health?.() ?? {}),
      };
    },
  );
}
